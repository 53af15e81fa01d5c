/** The events the data hub publishes and their payloads (docs/events.md, docs/datahub.md). */
import { defineEvents, type EventOf } from '../kernel/index.ts';
import type { DeviceView } from './device-view.ts';

/** `device.registered`, `device.updated`: the device as the API shows it, after the change. */
export interface DeviceChanged {
  device: DeviceView;
}

/** `device.deleted`, `device.key_rotated`: which device. */
export interface DeviceKeyed {
  deviceId: string;
}

/** The newest value of one property in a write. */
export interface ObservedValue {
  value: number;
  /** UCUM unit. */
  unit: string;
  /** ISO 8601 time of the observation. */
  time: string;
  /** `good`, `suspect` or `bad`. */
  quality: string;
}

/** `observation.latest`: a device's properties that changed in a write, derived values included. */
export interface ObservationLatest {
  deviceId: string;
  sensorType: string;
  ngsiType: string | null;
  /** GeoJSON point (longitude first), or null for a device without a location. */
  location: { type: 'Point'; coordinates: [number, number] } | null;
  /** Property → its newest value in the write. */
  values: Record<string, ObservedValue>;
}

/** The data hub's event types and their payloads. */
export interface DatahubEventMap {
  'device.registered': DeviceChanged;
  /** After a change, going offline, or coming back online. */
  'device.updated': DeviceChanged;
  'device.deleted': DeviceKeyed;
  'device.key_rotated': DeviceKeyed;
  'observation.latest': ObservationLatest;
}

/** Typed creation of and subscription to the data hub's events. */
export const datahubEvents = defineEvents<DatahubEventMap>({
  'device.registered': true,
  'device.updated': true,
  'device.deleted': true,
  'device.key_rotated': true,
  'observation.latest': true,
});

/** Any event the data hub publishes. */
export type DatahubEvent = EventOf<DatahubEventMap>;
