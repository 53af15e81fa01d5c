/** What the data hub's services share within one app: sensor types, point lookup, caches. */
import type { DeviceCatalog } from './device-catalog.ts';
import type { RegisteredSensorType } from './sensor-types.ts';

/** A division chain as org's `locatePoint` answers it (only the codes are used here). */
export interface LocatedDivisions {
  readonly grid?: { readonly code: string } | null;
  readonly community?: { readonly code: string } | null;
  readonly street?: { readonly code: string } | null;
  readonly district?: { readonly code: string } | null;
}

/** Resolves a point to its divisions, or null outside the city (or when no city is loaded). */
export type LocatePoint = (lat: number, lon: number) => LocatedDivisions | null;

export interface DatahubContext {
  readonly sensorTypes: ReadonlyMap<string, RegisteredSensorType>;
  readonly locate: LocatePoint;
  readonly catalog: DeviceCatalog;
}
