/**
 * The broker's tables (docs/ngsi-ld.md). Entities keep their attributes as one jsonb
 * document keyed by expanded IRIs; the `location` bounding box sits in plain columns so
 * geo-queries prefilter with a btree instead of PostGIS. Attribute instances (history)
 * back the temporal API; subscriptions keep their notification status.
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../kernel/index.ts';

export const ngsiLdMigrations: MigrationSet = {
  '0650-ngsi-ld-entities': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ngsi_ld_entity')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('attrs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        // Who maintains it: 'api' (clients), 'datahub' (devices), 'cases' (the case loop).
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('api'))
        .addColumn('device_id', 'text')
        .addColumn('min_lon', 'float8')
        .addColumn('min_lat', 'float8')
        .addColumn('max_lon', 'float8')
        .addColumn('max_lat', 'float8')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('modified_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index ngsi_ld_entity_type on ngsi_ld_entity (type, id)`.execute(db);
      await sql`create index ngsi_ld_entity_attrs on ngsi_ld_entity using gin (attrs jsonb_path_ops)`.execute(
        db,
      );
      await sql`create index ngsi_ld_entity_box on ngsi_ld_entity (min_lon, min_lat) where min_lon is not null`.execute(
        db,
      );
      await sql`create index ngsi_ld_entity_device on ngsi_ld_entity (device_id) where device_id is not null`.execute(
        db,
      );
    },
  },
  '0651-ngsi-ld-attribute-instances': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ngsi_ld_attribute_instance')
        .addColumn('seq', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('attr', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull().unique())
        // observedAt of the instance, or when it was recorded when it has none.
        .addColumn('observed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
        .addColumn('instance', 'jsonb', (c) => c.notNull())
        .execute();
      await sql`create index ngsi_ld_instance_entity on ngsi_ld_attribute_instance (entity_id, attr, observed_at)`.execute(
        db,
      );
      await sql`create index ngsi_ld_instance_type on ngsi_ld_attribute_instance (entity_type, entity_id)`.execute(
        db,
      );
    },
  },
  '0652-ngsi-ld-subscriptions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ngsi_ld_subscription')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // The subscription as created, with names expanded and the parsed q.
        .addColumn('body', 'jsonb', (c) => c.notNull())
        // The context references to compact notifications with.
        .addColumn('context', 'jsonb', (c) => c.notNull())
        .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('expires_at', 'timestamptz')
        .addColumn('times_sent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('times_failed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_notification', 'timestamptz')
        .addColumn('last_success', 'timestamptz')
        .addColumn('last_failure', 'timestamptz')
        .addColumn('notification_status', 'text')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('modified_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
};
