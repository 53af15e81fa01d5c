/** Perception's tables (migrations in perception-migrations.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../kernel/index.ts';
import type { AlertState, CaseLinkStatus } from './alert-model.ts';
import type { DeviceState, Evidence } from './rules/index.ts';
import type { LeafValue } from './rules/index.ts';

/** `perception_device_state`: one device's evaluator state, locked by every evaluation of it. */
export interface PerceptionDeviceStateTable {
  device_id: string;
  state: Json<DeviceState>;
  updated_at: Timestamp;
}

/** `perception_alert`: one alert of one rule on one device, raised until acknowledged or resolved. */
export interface PerceptionAlertTable {
  id: string;
  rule_code: string;
  rule_version: number;
  device_id: string;
  module_id: string;
  severity: string;
  state: AlertState;
  raised_at: Timestamp;
  raised_seen_at: Timestamp;
  since: Timestamp;
  repeats: Generated<number>;
  values: Json<LeafValue[]>;
  evidence: Json<Evidence[]>;
  lat: number | null;
  lon: number | null;
  division_code: string | null;
  district_code: string | null;
  /** The device's owner department, whose members see the alert as they see the device. */
  department_code: string | null;
  acknowledged_by: string | null;
  acknowledged_at: Timestamp | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution_note: string | null;
  case_status: CaseLinkStatus;
  case_category: string | null;
  case_urgency: string | null;
  case_attempts: Generated<number>;
  case_claimed_at: Timestamp | null;
  case_error: string | null;
  case_id: string | null;
  case_number: string | null;
  case_closed_at: Timestamp | null;
}

declare module '../kernel/index.ts' {
  interface Database {
    perception_device_state: PerceptionDeviceStateTable;
    perception_alert: PerceptionAlertTable;
  }
}
