/** The NGSI-LD broker's tables (migrations in ngsi-ld-migrations.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { DefaultedJson, Json, Timestamp } from '../kernel/index.ts';
import type { StoredAttribute } from './entity-model.ts';
import type { ContextRef } from './json-ld-context.ts';
import type { SubscriptionBody } from './subscription-service.ts';

/** `ngsi_ld_entity`: one entity, its attributes as stored JSON and its bounding box. */
export interface NgsiLdEntityTable {
  id: string;
  type: string;
  attrs: DefaultedJson<Record<string, StoredAttribute>>;
  source: Generated<string>;
  device_id: string | null;
  min_lon: number | null;
  min_lat: number | null;
  max_lon: number | null;
  max_lat: number | null;
  created_at: Timestamp;
  modified_at: Timestamp;
}

/** `ngsi_ld_attribute_instance`: one instance of an attribute, for temporal queries. */
export interface NgsiLdAttributeInstanceTable {
  seq: Generated<number>;
  entity_id: string;
  entity_type: string;
  attr: string;
  instance_id: string;
  observed_at: Timestamp;
  recorded_at: Timestamp;
  instance: Json<StoredAttribute>;
}

/** `ngsi_ld_subscription`: a subscription and its notification counters. */
export interface NgsiLdSubscriptionTable {
  id: string;
  body: Json<SubscriptionBody>;
  context: Json<ContextRef[]>;
  is_active: Generated<boolean>;
  expires_at: Timestamp | null;
  times_sent: Generated<number>;
  times_failed: Generated<number>;
  last_notification: Timestamp | null;
  last_success: Timestamp | null;
  last_failure: Timestamp | null;
  notification_status: string | null;
  owner: string;
  created_at: Timestamp;
  modified_at: Timestamp;
}

declare module '../kernel/index.ts' {
  interface Database {
    ngsi_ld_entity: NgsiLdEntityTable;
    ngsi_ld_attribute_instance: NgsiLdAttributeInstanceTable;
    ngsi_ld_subscription: NgsiLdSubscriptionTable;
  }
}
