/** The data hub's tables (migrations in datahub-migrations.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { Timestamp } from '../kernel/index.ts';
import type { DeviceStatus } from './device-view.ts';

/** `datahub_device`: a registered sensor, by the hash of its key. */
export interface DatahubDeviceTable {
  id: string;
  name: string;
  sensor_type: string;
  module_id: string;
  lat: number | null;
  lon: number | null;
  division_code: string | null;
  district_code: string | null;
  department_code: string | null;
  status: Generated<DeviceStatus>;
  offline: Generated<boolean>;
  last_seen_at: Timestamp | null;
  key_hash: string;
  key_prefix: string;
  key_rotated_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `datahub_datastream`: one measured property of a device. */
export interface DatahubDatastreamTable {
  id: Generated<number>;
  device_id: string;
  property: string;
  name_zh: string;
  name_en: string;
  unit: string;
  min: number | null;
  max: number | null;
  derived: Generated<boolean>;
}

/** `datahub_observation` (partitioned by month): one value of a datastream. */
export interface DatahubObservationTable {
  datastream_id: number;
  time: Timestamp;
  value: number;
  quality: Generated<string>;
}

/** `datahub_latest`: each datastream's newest observation. */
export interface DatahubLatestTable {
  datastream_id: number;
  time: Timestamp;
  value: number;
  quality: string;
}

/** `datahub_observation_hourly`: hourly count, min, max and sum of a datastream. */
export interface DatahubObservationHourlyTable {
  datastream_id: number;
  hour: Timestamp;
  count: number;
  min: number;
  max: number;
  sum: number;
}

/** `datahub_rollup_state`: how far a rollup has gone. */
export interface DatahubRollupStateTable {
  name: string;
  rolled_until: Timestamp;
}

/** `datahub_dead_letter`: a message that could not be ingested, and why. */
export interface DatahubDeadLetterTable {
  id: Generated<number>;
  received_at: Timestamp;
  source: string;
  topic: string | null;
  device_id: string | null;
  payload: string;
  reason: string;
}

declare module '../kernel/index.ts' {
  interface Database {
    datahub_device: DatahubDeviceTable;
    datahub_datastream: DatahubDatastreamTable;
    datahub_observation: DatahubObservationTable;
    datahub_latest: DatahubLatestTable;
    datahub_observation_hourly: DatahubObservationHourlyTable;
    datahub_rollup_state: DatahubRollupStateTable;
    datahub_dead_letter: DatahubDeadLetterTable;
  }
}
