/**
 * A device as the API and the bus events show it (`device.registered`, `device.updated`):
 * the leaf both devices.ts and the event map (datahub-events.ts) take it from.
 */

/** The statuses a device may have. */
export const DEVICE_STATUSES = ['active', 'inactive', 'maintenance'] as const;
/** Whether a device is expected to report: `inactive` devices have their observations refused. */
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** A point on the map (WGS 84). */
export interface GeoPoint {
  lat: number;
  lon: number;
}

/** A device as the API shows it. */
export interface DeviceView {
  id: string;
  name: string;
  sensorType: string;
  moduleId: string;
  ngsiType: string | null;
  location: GeoPoint | null;
  /** The most specific division holding the location (grid when the city has grids). */
  divisionCode: string | null;
  districtCode: string | null;
  departmentCode: string | null;
  status: DeviceStatus;
  offline: boolean;
  lastSeenAt: string | null;
  /** First characters of the current key, to tell keys apart; the key itself is never shown again. */
  keyPrefix: string;
  createdAt: string;
  updatedAt: string;
}
