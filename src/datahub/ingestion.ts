/**
 * Observation ingestion, shared by HTTP and MQTT: checks each item of a batch, resolves it
 * to a datastream the caller may write, and hands the good ones to the write coalescer.
 * A bad item is reported by its index with a stable reason; `atomic` refuses the whole
 * batch instead. Values outside the datastream's declared range are kept as `suspect`.
 */
import { authorize, type Principal } from '../identity/index.ts';
import { InvalidInputError } from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import type { DeviceMeta, StreamMeta } from './device-catalog.ts';
import type { ObservationWriter, PendingObservation } from './observation-writer.ts';

/** Items per batch at most (HTTP request or MQTT message). */
export const MAX_BATCH_ITEMS = 10_000;
export const QUALITIES = ['good', 'suspect', 'bad'] as const;
/** How far ahead of the platform clock an observation's time may be (clock skew). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Who sends: a device with its key (only its own datastreams), or a principal with `observation.ingest`. */
export type IngestCaller = { kind: 'device'; deviceId: string } | { kind: 'principal'; principal: Principal };

export interface IngestReport {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

interface Resolved {
  index: number;
  stream: StreamMeta;
  device: DeviceMeta;
  timeMs: number;
  value: number;
  quality: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);
const DATASTREAM_KEY = /^([a-z0-9][a-z0-9-]{1,63})\.([A-Za-z0-9_.-]+)$/;
// RFC 3339 date-time with a zone: an observation's instant must not depend on server time zone.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Checks and stores a batch. Resolves after the accepted items are committed. Throws
 * `ingest.batch_rejected` (400, with `rejected`) when `atomic` and any item is bad, and
 * `ingest.overloaded` (503) when the write queue is full.
 */
export async function ingestObservations(
  hub: DatahubContext,
  writer: ObservationWriter,
  caller: IngestCaller,
  items: readonly unknown[],
  options: { atomic?: boolean; now: Date },
): Promise<IngestReport> {
  if (caller.kind === 'principal') authorize(caller.principal, 'observation.ingest');
  if (items.length > MAX_BATCH_ITEMS)
    throw new InvalidInputError(
      `A batch holds at most ${MAX_BATCH_ITEMS} observations (got ${items.length}).`,
      { max: MAX_BATCH_ITEMS },
      'ingest.batch_too_large',
    );
  const rejected: IngestReport['rejected'] = [];
  const reject = (index: number, reason: string) => {
    rejected.push({ index, reason });
  };

  // First pass: shapes, and which devices and datastreams are named.
  const deviceIds = new Set<string>();
  const streamIds = new Set<number>();
  if (caller.kind === 'device') deviceIds.add(caller.deviceId);
  for (const item of items) {
    if (!isObject(item)) continue;
    if (typeof item.device === 'string') deviceIds.add(item.device);
    if (typeof item.datastream === 'number') streamIds.add(item.datastream);
    else if (typeof item.datastream === 'string') {
      const m = DATASTREAM_KEY.exec(item.datastream);
      if (m) deviceIds.add(m[1]);
      else if (/^\d{1,15}$/.test(item.datastream)) streamIds.add(Number(item.datastream));
    }
  }
  const owners = await hub.catalog.streamOwners(streamIds);
  for (const owner of owners.values()) deviceIds.add(owner);
  const devices = await hub.catalog.devices(deviceIds);

  const maxTime = options.now.getTime() + FUTURE_TOLERANCE_MS;
  const good: Resolved[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (!isObject(item)) {
      reject(index, 'item.not_object');
      continue;
    }
    let device: DeviceMeta | null | undefined;
    let stream: StreamMeta | undefined;
    const named = item.datastream;
    if (named !== undefined && named !== null) {
      let streamId: number | null = null;
      if (typeof named === 'number' && Number.isInteger(named)) streamId = named;
      else if (typeof named === 'string' && /^\d{1,15}$/.test(named)) streamId = Number(named);
      if (streamId !== null) {
        const owner = owners.get(streamId);
        device = owner ? devices.get(owner) : null;
        stream = device?.byId.get(streamId);
      } else if (typeof named === 'string' && DATASTREAM_KEY.test(named)) {
        const [, d, p] = DATASTREAM_KEY.exec(named)!;
        device = devices.get(d);
        stream = device?.byProperty.get(p);
      } else {
        reject(index, 'datastream.invalid');
        continue;
      }
    } else {
      const deviceId = item.device ?? (caller.kind === 'device' ? caller.deviceId : undefined);
      if (typeof deviceId !== 'string') {
        reject(index, 'device.missing');
        continue;
      }
      if (typeof item.property !== 'string') {
        reject(index, 'property.missing');
        continue;
      }
      device = devices.get(deviceId);
      if (!device) {
        reject(index, 'device.not_found');
        continue;
      }
      stream = device.byProperty.get(item.property);
    }
    // Another device's datastream looks exactly like a missing one to a device key.
    if (!device || !stream || (caller.kind === 'device' && device.id !== caller.deviceId)) {
      reject(index, 'datastream.not_found');
      continue;
    }
    if (stream.derived) {
      reject(index, 'datastream.derived');
      continue;
    }
    if (device.status === 'inactive') {
      reject(index, 'device.inactive');
      continue;
    }

    const value = item.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      reject(index, 'value.invalid');
      continue;
    }
    let timeMs: number;
    if (typeof item.time === 'string' && RFC3339.test(item.time)) timeMs = Date.parse(item.time);
    else {
      reject(index, 'time.invalid');
      continue;
    }
    if (!Number.isFinite(timeMs)) {
      reject(index, 'time.invalid');
      continue;
    }
    if (timeMs > maxTime) {
      reject(index, 'time.in_future');
      continue;
    }
    let quality = 'good';
    if (item.quality !== undefined && item.quality !== null) {
      if (!(QUALITIES as readonly unknown[]).includes(item.quality)) {
        reject(index, 'quality.invalid');
        continue;
      }
      quality = item.quality as string;
    }
    if ((stream.min !== null && value < stream.min) || (stream.max !== null && value > stream.max))
      quality = quality === 'bad' ? 'bad' : 'suspect';
    good.push({ index, stream, device, timeMs, value, quality });
  }

  if (options.atomic && rejected.length > 0)
    throw new InvalidInputError(
      `${rejected.length} of ${items.length} observations are invalid; nothing was stored (atomic=true).`,
      { rejected },
      'ingest.batch_rejected',
    );
  const rows: PendingObservation[] = good.map((g) => ({
    datastreamId: g.stream.id,
    deviceId: g.device.id,
    timeMs: g.timeMs,
    value: g.value,
    quality: g.quality,
  }));
  const written = await writer.submit(rows);
  return { accepted: written.accepted, duplicates: written.duplicates, rejected };
}

/** The items of a request body or MQTT payload: an array, `{items: […]}`, or one item. */
export function itemsOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (isObject(body)) {
    if (Array.isArray(body.items)) return body.items;
    if ('value' in body) return [body];
  }
  return null;
}
