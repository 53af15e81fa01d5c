/**
 * An in-process cache of what ingestion needs to know about devices: their datastreams,
 * status and location, and which device a key belongs to. Entries live `ttlMs` (changes
 * made on this node are forgotten at once; on other nodes they show within the TTL).
 */
import type { Db, DerivedValueDeclaration } from '../kernel/index.ts';
import { deviceKeyHash } from './device-key.ts';
import type { DeviceStatus, GeoPoint } from './device-view.ts';
import type { RegisteredSensorType } from './sensor-types.ts';

export interface StreamMeta {
  readonly id: number;
  readonly property: string;
  readonly unit: string;
  readonly min: number | null;
  readonly max: number | null;
  readonly derived: boolean;
}

export interface DeviceMeta {
  readonly id: string;
  readonly sensorType: string;
  readonly ngsiType: string | null;
  readonly status: DeviceStatus;
  readonly location: GeoPoint | null;
  readonly byProperty: ReadonlyMap<string, StreamMeta>;
  readonly byId: ReadonlyMap<number, StreamMeta>;
  readonly derived: readonly DerivedValueDeclaration[];
}

export class DeviceCatalog {
  readonly #db: Db;
  readonly #sensorTypes: ReadonlyMap<string, RegisteredSensorType>;
  readonly #ttlMs: number;
  readonly #devices = new Map<string, { meta: DeviceMeta | null; at: number }>();
  readonly #keys = new Map<string, { deviceId: string; at: number }>();
  readonly #streamOwners = new Map<number, string>();

  constructor(db: Db, sensorTypes: ReadonlyMap<string, RegisteredSensorType>, ttlMs = 30_000) {
    this.#db = db;
    this.#sensorTypes = sensorTypes;
    this.#ttlMs = ttlMs;
  }

  /** Drops what is cached about a device (after a change). */
  forget(deviceId: string): void {
    this.#devices.delete(deviceId);
    for (const [hash, entry] of this.#keys) if (entry.deviceId === deviceId) this.#keys.delete(hash);
    for (const [id, owner] of this.#streamOwners) if (owner === deviceId) this.#streamOwners.delete(id);
  }

  /** The devices with these ids (absent ones map to null), loading what is not cached. */
  async devices(ids: Iterable<string>): Promise<Map<string, DeviceMeta | null>> {
    const now = performance.now();
    const out = new Map<string, DeviceMeta | null>();
    const missing: string[] = [];
    for (const id of ids) {
      if (out.has(id)) continue;
      const hit = this.#devices.get(id);
      if (hit && now - hit.at < this.#ttlMs) out.set(id, hit.meta);
      else {
        out.set(id, null);
        missing.push(id);
      }
    }
    if (missing.length === 0) return out;
    const rows = await this.#db
      .selectFrom('datahub_device as d')
      .leftJoin('datahub_datastream as s', 's.device_id', 'd.id')
      .select([
        'd.id',
        'd.sensor_type',
        'd.status',
        'd.lat',
        'd.lon',
        's.id as stream_id',
        's.property',
        's.unit',
        's.min',
        's.max',
        's.derived',
      ])
      .where('d.id', 'in', missing)
      .execute();
    const built = new Map<string, { meta: DeviceMeta; streams: StreamMeta[] }>();
    for (const r of rows) {
      let entry = built.get(r.id);
      if (!entry) {
        const type = this.#sensorTypes.get(r.sensor_type);
        const streams: StreamMeta[] = [];
        entry = {
          streams,
          meta: {
            id: r.id,
            sensorType: r.sensor_type,
            ngsiType: type?.ngsiType ?? null,
            status: r.status,
            location: r.lat === null || r.lon === null ? null : { lat: r.lat, lon: r.lon },
            byProperty: new Map(),
            byId: new Map(),
            derived: type?.derived ?? [],
          },
        };
        built.set(r.id, entry);
      }
      if (r.stream_id !== null) {
        // The left join's columns are all null or all set: a stream id means a datastream row.
        const s: StreamMeta = {
          id: Number(r.stream_id),
          property: r.property!,
          unit: r.unit!,
          min: r.min,
          max: r.max,
          derived: r.derived!,
        };
        (entry.meta.byProperty as Map<string, StreamMeta>).set(s.property, s);
        (entry.meta.byId as Map<number, StreamMeta>).set(s.id, s);
      }
    }
    for (const id of missing) {
      const meta = built.get(id)?.meta ?? null;
      this.#devices.set(id, { meta, at: now });
      out.set(id, meta);
      if (meta) for (const sid of meta.byId.keys()) this.#streamOwners.set(sid, id);
    }
    return out;
  }

  /** The owning device of each datastream id (absent ids are left out). */
  async streamOwners(ids: Iterable<number>): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const missing: number[] = [];
    for (const id of ids) {
      const owner = this.#streamOwners.get(id);
      if (owner) out.set(id, owner);
      else if (!missing.includes(id)) missing.push(id);
    }
    if (missing.length) {
      const rows = await this.#db
        .selectFrom('datahub_datastream')
        .select(['id', 'device_id'])
        .where('id', 'in', missing)
        .execute();
      for (const r of rows) {
        this.#streamOwners.set(Number(r.id), r.device_id);
        out.set(Number(r.id), r.device_id);
      }
    }
    return out;
  }

  /** The device a key belongs to, or null. */
  async deviceForKey(key: string): Promise<string | null> {
    const hash = deviceKeyHash(key);
    const now = performance.now();
    const hit = this.#keys.get(hash);
    if (hit && now - hit.at < this.#ttlMs) return hit.deviceId;
    const row = await this.#db
      .selectFrom('datahub_device')
      .select('id')
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
    this.#keys.set(hash, { deviceId: row.id, at: now });
    return row.id;
  }
}
