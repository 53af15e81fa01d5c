/**
 * The write coalescer: observations from HTTP requests and MQTT messages wait in one
 * bounded queue and are written together, up to `maxBatchRows` per transaction, by one
 * multi-row `INSERT … SELECT FROM unnest(…) ON CONFLICT (datastream_id, time) DO NOTHING`,
 * through the kernel's group commit (docs/architecture.md#group-commit). A batch closes when
 * it is full, or when the previous write finishes, or after `lingerMs` when set. A
 * submission larger than a batch is cut into parts of `maxBatchRows`; it resolves only after
 * every one of its rows is committed, so whoever acknowledges on that promise never
 * acknowledges a lost row.
 *
 * In the same transaction: the latest value of each datastream, the derived values of the
 * devices that got new inputs (the sensor type's `compute`, e.g. AQI), and the devices'
 * last-seen time. After commit: `observation.latest` per device, and `device.updated`
 * for devices that came back online.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import {
  type Clock,
  type Db,
  type EventBus,
  type EventOf,
  GroupCommit,
  type Outcome,
  UnavailableError,
} from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import {
  type DatahubEvent,
  type DatahubEventMap,
  datahubEvents,
  type ObservedValue,
} from './datahub-events.ts';
import type { DeviceMeta } from './device-catalog.ts';
import { DEVICE_UPDATED, type DeviceRow, deviceView } from './devices.ts';

/** Bus event with the newest values of one device, batched per device per write. */
export const OBSERVATION_LATEST = 'observation.latest';

/** One device's `observation.latest` event. */
type LatestEvent = EventOf<DatahubEventMap, typeof OBSERVATION_LATEST>;

/** One observation ready to be stored (resolved and checked by ingestion). */
export interface PendingObservation {
  readonly datastreamId: number;
  readonly deviceId: string;
  readonly timeMs: number;
  readonly value: number;
  readonly quality: string;
}

export interface WriteResult {
  /** Rows stored now. */
  accepted: number;
  /** Rows whose (datastream, time) was already stored; nothing changed for them. */
  duplicates: number;
}

export interface ObservationWriterOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  hub: DatahubContext;
  bus?: EventBus;
  /** Rows that may wait at most; beyond, submissions are refused (default 100,000). */
  maxQueueRows?: number;
  /** Rows per transaction at most (default 5,000). */
  maxBatchRows?: number;
  /** Wait this long for more rows before writing a batch that is not full (default 0). */
  lingerMs?: number;
  /** `last_seen_at` is refreshed at most this often per device, to spare row updates (default 5 s). */
  lastSeenResolutionMs?: number;
}

/** A submission's state shared by its parts. */
interface Submission {
  failed: boolean;
}

/** At most `maxBatchRows` rows of one submission: one command of the group commit. */
interface QueuedPart {
  sub: Submission;
  rows: readonly PendingObservation[];
}

interface LatestValue {
  datastreamId: number;
  timeMs: number;
  value: number;
  quality: string;
}

export class ObservationWriter {
  readonly #opts: Required<Omit<ObservationWriterOptions, 'bus'>> & { bus?: EventBus };
  readonly #commit: GroupCommit<QueuedPart, WriteResult>;
  #stored = 0;
  /** `observation.latest` waiting to be published, one per device (later writes merge in). */
  readonly #pendingLatest = new Map<string, LatestEvent>();
  readonly #pendingOther: DatahubEvent[] = [];
  #publishing: Promise<void> | null = null;
  /** Rows per second of recent writes, for Retry-After. */
  #rate = 10_000;

  constructor(options: ObservationWriterOptions) {
    this.#opts = {
      maxQueueRows: 100_000,
      maxBatchRows: 5_000,
      lingerMs: 0,
      lastSeenResolutionMs: 5_000,
      ...options,
    };
    this.#commit = new GroupCommit<QueuedPart, WriteResult>({
      maxBatch: Number.POSITIVE_INFINITY,
      weight: (part) => part.rows.length,
      maxWeight: this.#opts.maxBatchRows,
      maxQueued: this.#opts.maxQueueRows,
      lingerMs: this.#opts.lingerMs,
      // A failed write fails its submissions whole; their callers resend (never acknowledged).
      isolateFailures: false,
      runBatch: (parts) => this.#writeParts(parts),
    });
  }

  /** Rows waiting to be written. */
  get queued(): number {
    return this.#commit.queued;
  }

  /** Observations this writer has stored since it started (duplicates not counted). */
  get stored(): number {
    return this.#stored;
  }

  /** True when `rows` more fit in the queue (an empty queue takes any one submission). */
  hasRoom(rows: number): boolean {
    return this.#commit.hasRoom(rows);
  }

  /** Resolves when `rows` more fit in the queue. */
  whenRoom(rows: number): Promise<void> {
    return this.#commit.whenRoom(rows);
  }

  /**
   * Queues rows and resolves once all are committed. Throws `ingest.overloaded` (503 with
   * Retry-After) when the queue is full: nothing of the submission was taken then.
   */
  submit(rows: readonly PendingObservation[]): Promise<WriteResult> {
    if (this.#commit.closed) throw new UnavailableError('The node is shutting down.', 'ingest.closed', 1);
    if (rows.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    if (!this.hasRoom(rows.length)) {
      const queued = this.#commit.queued;
      const seconds = Math.max(1, Math.ceil(queued / Math.max(1, this.#rate)));
      throw new UnavailableError(
        `Ingestion is overloaded (${queued} observations waiting); retry later.`,
        'ingest.overloaded',
        seconds,
      );
    }
    const sub: Submission = { failed: false };
    const max = this.#opts.maxBatchRows;
    const parts: Array<Promise<WriteResult>> = [];
    for (let at = 0; at < rows.length; at += max)
      parts.push(this.#commit.submit({ sub, rows: rows.length <= max ? rows : rows.slice(at, at + max) }));
    if (parts.length === 1) return parts[0];
    return Promise.all(parts).then(
      (results) => ({
        accepted: results.reduce((n, r) => n + r.accepted, 0),
        duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      }),
      (error) => {
        // Its parts still queued are dropped when their batch is taken: the caller got the
        // error (never an acknowledgement) and resends; idempotency absorbs what was stored.
        sub.failed = true;
        throw error;
      },
    );
  }

  /** Writes what is queued and waits for the events of written batches to be published. */
  async drain(): Promise<void> {
    await this.#commit.drain();
    while (this.#publishing) await this.#publishing;
  }

  /** Refuses new submissions, then drains. */
  async close(): Promise<void> {
    await this.#commit.close();
    await this.drain();
  }

  /**
   * Queues events for publishing after commit without holding up the next write. While a
   * device's `observation.latest` still waits (subscribers slower than ingestion), the next
   * write's values merge into it, newest time per property: the backlog stays one event per
   * device, and what subscribers see is still the latest state.
   */
  #enqueue(events: readonly DatahubEvent[]): void {
    for (const event of events) {
      if (event.type !== OBSERVATION_LATEST) {
        this.#pendingOther.push(event);
        continue;
      }
      const data = event.data;
      const waiting = this.#pendingLatest.get(data.deviceId);
      if (!waiting) {
        this.#pendingLatest.set(data.deviceId, event);
        continue;
      }
      const values = waiting.data.values;
      for (const [property, v] of Object.entries(data.values))
        if (!values[property] || values[property].time <= v.time) values[property] = v;
    }
    this.#publishing ??= this.#publishAll().finally(() => {
      this.#publishing = null;
    });
  }

  async #publishAll(): Promise<void> {
    const bus = this.#opts.bus!;
    for (;;) {
      let event = this.#pendingOther.shift();
      if (!event) {
        const first = this.#pendingLatest.entries().next();
        if (first.done) return;
        this.#pendingLatest.delete(first.value[0]);
        event = first.value[1];
      }
      await bus.publish(event);
    }
  }

  /** One write of the parts of a batch; one result per part. */
  async #writeParts(parts: QueuedPart[]): Promise<Array<Outcome<WriteResult>>> {
    const live = parts.filter((p) => !p.sub.failed);
    const rows = live.length === 1 ? live[0].rows : live.flatMap((p) => p.rows);
    const started = performance.now();
    let outcome: { stored: boolean[]; events: DatahubEvent[] } = { stored: [], events: [] };
    if (rows.length)
      try {
        outcome = await this.#write(rows);
      } catch (error) {
        this.#opts.logger.error({ err: error }, 'writing observations failed');
        throw error;
      }
    const ms = performance.now() - started;
    if (rows.length >= 100) this.#rate = Math.round((rows.length / Math.max(1, ms)) * 1000);
    if (outcome.events.length && this.#opts.bus) this.#enqueue(outcome.events);
    let i = 0;
    return parts.map((part): Outcome<WriteResult> => {
      if (part.sub.failed) return { ok: false, error: new Error('Dropped: an earlier part failed.') };
      const result: WriteResult = { accepted: 0, duplicates: 0 };
      for (let k = 0; k < part.rows.length; k++, i++)
        if (outcome.stored[i]) result.accepted++;
        else result.duplicates++;
      this.#stored += result.accepted;
      return { ok: true, value: result };
    });
  }

  /** One transaction: observations, latest values, derived values, liveness. */
  async #write(rows: readonly PendingObservation[]): Promise<{ stored: boolean[]; events: DatahubEvent[] }> {
    const { db, clock, hub } = this.#opts;
    const now = clock.now();
    // A (datastream, time) twice in one batch: the first occurrence is the one written.
    const seen = new Set<string>();
    const unique: number[] = [];
    const ds: number[] = [];
    const epochs: number[] = [];
    const vs: number[] = [];
    const qs: string[] = [];
    rows.forEach((r, i) => {
      const key = `${r.datastreamId}:${r.timeMs}`;
      if (seen.has(key)) return;
      seen.add(key);
      unique.push(i);
      ds.push(r.datastreamId);
      epochs.push(r.timeMs / 1000);
      vs.push(r.value);
      qs.push(r.quality);
    });
    const deviceIds = [...new Set(rows.map((r) => r.deviceId))];
    const metas = await hub.catalog.devices(deviceIds);

    return db.transaction().execute(async (trx) => {
      // Times travel as epoch seconds (cheaper to serialize than ISO strings; to_timestamp
      // keeps milliseconds exactly). The statement answers only the ordinals of rows that
      // were already stored, so nothing per row comes back in the common case.
      const { rows: answer } = await sql<{ dups: Array<number | string> }>`
        with u as (
          select * from unnest(${ds}::bigint[], ${epochs}::float8[], ${vs}::float8[], ${qs}::text[])
            with ordinality as u(datastream_id, epoch, value, quality, ord)
        ), ins as (
          insert into datahub_observation (datastream_id, time, value, quality)
          select datastream_id, to_timestamp(epoch), value, quality from u
          on conflict (datastream_id, time) do nothing
          returning datastream_id, time
        )
        select coalesce(array_agg(u.ord::int), '{}') as dups from u
        where not exists (
          select 1 from ins where ins.datastream_id = u.datastream_id and ins.time = to_timestamp(u.epoch)
        )`.execute(trx);
      const stored = new Array<boolean>(rows.length).fill(false);
      for (const i of unique) stored[i] = true;
      for (const ord of answer[0]?.dups ?? []) stored[unique[Number(ord) - 1]] = false;
      const newest = new Map<number, LatestValue>();
      for (const i of unique) {
        if (!stored[i]) continue;
        const row = rows[i];
        const prev = newest.get(row.datastreamId);
        if (!prev || prev.timeMs < row.timeMs)
          newest.set(row.datastreamId, {
            datastreamId: row.datastreamId,
            timeMs: row.timeMs,
            value: row.value,
            quality: row.quality,
          });
      }

      const changed = await upsertLatest(trx, [...newest.values()]);
      const derivedChanged = await this.#computeDerived(
        trx,
        rows.filter((_, i) => stored[i]),
        metas,
      );
      for (const d of derivedChanged) changed.set(d.datastreamId, d);

      const backOnline = await touchDevices(trx, deviceIds, now, this.#opts.lastSeenResolutionMs);
      return { stored, events: this.#events(changed, metas, backOnline, now) };
    });
  }

  /**
   * Computes the derived values (e.g. AQI) of the devices that got new inputs, at each time
   * they got them, and stores them as observations. At a device's newest time the inputs are
   * its latest values (inputs may arrive in separate messages); at earlier times of the same
   * batch (a backfill) only the values of that time.
   */
  async #computeDerived(
    trx: Db,
    storedRows: readonly PendingObservation[],
    metas: Map<string, DeviceMeta | null>,
  ): Promise<LatestValue[]> {
    const devices = new Map<
      string,
      { meta: DeviceMeta; times: Map<number, Record<string, number>>; newest: number }
    >();
    for (const r of storedRows) {
      const meta = metas.get(r.deviceId);
      if (!meta || meta.derived.length === 0) continue;
      const stream = meta.byId.get(r.datastreamId);
      if (!stream || stream.derived) continue;
      let entry = devices.get(meta.id);
      if (!entry) {
        entry = { meta, times: new Map(), newest: r.timeMs };
        devices.set(meta.id, entry);
      }
      entry.newest = Math.max(entry.newest, r.timeMs);
      let at = entry.times.get(r.timeMs);
      if (!at) {
        at = {};
        entry.times.set(r.timeMs, at);
      }
      at[stream.property] = r.value;
    }
    if (devices.size === 0) return [];
    const streamIds = [...devices.values()].flatMap((d) =>
      [...d.meta.byId.values()].filter((s) => !s.derived).map((s) => s.id),
    );
    const latestRows = await trx
      .selectFrom('datahub_latest')
      .select(['datastream_id', 'value'])
      .where('datastream_id', 'in', streamIds)
      .execute();
    const latestById = new Map(latestRows.map((r) => [Number(r.datastream_id), r.value as number]));
    const out: LatestValue[] = [];
    for (const { meta, times, newest } of devices.values()) {
      const latest: Record<string, number> = {};
      for (const s of meta.byId.values()) {
        const v = latestById.get(s.id);
        if (!s.derived && v !== undefined) latest[s.property] = v;
      }
      for (const [timeMs, values] of times) {
        const inputs = timeMs === newest ? { ...latest, ...values } : values;
        for (const decl of meta.derived) {
          const stream = meta.byProperty.get(decl.property);
          if (!stream) continue;
          let value: number | null;
          try {
            value = decl.compute(inputs);
          } catch (err) {
            this.#opts.logger.warn({ err, device: meta.id, property: decl.property }, 'derived value failed');
            value = null;
          }
          if (value === null || !Number.isFinite(value)) continue;
          out.push({ datastreamId: stream.id, timeMs, value, quality: 'good' });
        }
      }
    }
    if (out.length === 0) return [];
    // A later input at the same time refines the derived value, so it replaces the stored one.
    await sql`
      insert into datahub_observation (datastream_id, time, value, quality)
      select * from unnest(${out.map((o) => o.datastreamId)}::bigint[],
        ${out.map((o) => new Date(o.timeMs).toISOString())}::timestamptz[],
        ${out.map((o) => o.value)}::float8[], ${out.map((o) => o.quality)}::text[])
      on conflict (datastream_id, time) do update set value = excluded.value, quality = excluded.quality`.execute(
      trx,
    );
    const changedDerived = await upsertLatest(trx, out);
    return [...changedDerived.values()];
  }

  #events(
    changed: Map<number, LatestValue>,
    metas: Map<string, DeviceMeta | null>,
    backOnline: DeviceRow[],
    now: Date,
  ): DatahubEvent[] {
    const events: DatahubEvent[] = [];
    const streamIndex = new Map<number, { meta: DeviceMeta; property: string; unit: string }>();
    for (const meta of metas.values())
      if (meta)
        for (const s of meta.byId.values())
          streamIndex.set(s.id, { meta, property: s.property, unit: s.unit });
    const perDevice = new Map<string, { meta: DeviceMeta; values: Record<string, ObservedValue> }>();
    for (const c of changed.values()) {
      const s = streamIndex.get(c.datastreamId);
      if (!s) continue;
      let entry = perDevice.get(s.meta.id);
      if (!entry) {
        entry = { meta: s.meta, values: {} };
        perDevice.set(s.meta.id, entry);
      }
      entry.values[s.property] = {
        value: c.value,
        unit: s.unit,
        time: new Date(c.timeMs).toISOString(),
        quality: c.quality,
      };
    }
    for (const { meta, values } of perDevice.values())
      events.push(
        datahubEvents.create(
          OBSERVATION_LATEST,
          {
            deviceId: meta.id,
            sensorType: meta.sensorType,
            ngsiType: meta.ngsiType,
            location: meta.location
              ? { type: 'Point', coordinates: [meta.location.lon, meta.location.lat] }
              : null,
            values,
          },
          now,
          `device:${meta.id}`,
        ),
      );
    for (const row of backOnline) {
      this.#opts.hub.catalog.forget(row.id);
      const ngsiType = this.#opts.hub.sensorTypes.get(row.sensor_type)?.ngsiType ?? null;
      events.push(
        datahubEvents.create(DEVICE_UPDATED, { device: deviceView(row, ngsiType) }, now, `device:${row.id}`),
      );
    }
    return events;
  }
}

/** Moves each datastream's latest value forward; returns those that moved. */
async function upsertLatest(trx: Db, all: LatestValue[]): Promise<Map<number, LatestValue>> {
  const changed = new Map<number, LatestValue>();
  if (all.length === 0) return changed;
  // One row per datastream (the newest): an upsert may not touch a row twice.
  const newest = new Map<number, LatestValue>();
  for (const v of all) {
    const cur = newest.get(v.datastreamId);
    if (!cur || cur.timeMs < v.timeMs) newest.set(v.datastreamId, v);
  }
  const values = [...newest.values()];
  // Sorted by key so that concurrent writers lock rows in the same order.
  values.sort((a, b) => a.datastreamId - b.datastreamId);
  const { rows } = await sql<{ datastream_id: number }>`
    insert into datahub_latest as l (datastream_id, time, value, quality)
    select * from unnest(${values.map((v) => v.datastreamId)}::bigint[],
      ${values.map((v) => new Date(v.timeMs).toISOString())}::timestamptz[],
      ${values.map((v) => v.value)}::float8[], ${values.map((v) => v.quality)}::text[])
    on conflict (datastream_id) do update
      set time = excluded.time, value = excluded.value, quality = excluded.quality
      where excluded.time >= l.time
    returning l.datastream_id`.execute(trx);
  const byId = new Map(values.map((v) => [v.datastreamId, v]));
  for (const r of rows) {
    const v = byId.get(Number(r.datastream_id));
    if (v) changed.set(v.datastreamId, v);
  }
  return changed;
}

/** Refreshes last-seen times (at most every `resolutionMs`); returns devices that were offline. */
async function touchDevices(trx: Db, ids: string[], now: Date, resolutionMs: number): Promise<DeviceRow[]> {
  if (ids.length === 0) return [];
  const stale = new Date(now.getTime() - resolutionMs);
  const { rows } = await sql<DeviceRow & { was_offline: boolean }>`
    update datahub_device d set last_seen_at = ${now}, offline = false
    from (select id, offline as was_offline from datahub_device where id = any(${ids}::text[])) p
    where d.id = p.id and (d.offline or d.last_seen_at is null or d.last_seen_at < ${stale})
    returning d.id, d.name, d.sensor_type, d.module_id, d.lat, d.lon, d.division_code, d.district_code,
      d.department_code, d.status, d.offline, d.last_seen_at, d.key_prefix, d.created_at, d.updated_at,
      p.was_offline`.execute(trx);
  return rows.filter((r) => r.was_offline);
}
