/**
 * Reading a datastream's observations: raw values in a time range, or min/max/avg/count per
 * minute, hour or day (day boundaries in the city's time zone). Older than the retention
 * cutoff, hourly and daily aggregates come from the hourly rollups; the two sources are
 * merged bucket by bucket.
 */
import { sql } from 'kysely';
import { authorize, type Principal } from '../identity/index.ts';
import { type Db, InvalidInputError, NotFoundError } from '../kernel/index.ts';
import { type DeviceRow, deviceVisibleTo } from './devices.ts';

export const AGGREGATES = ['min', 'max', 'avg', 'count'] as const;
export type Aggregate = (typeof AGGREGATES)[number];
export const INTERVALS = ['minute', 'hour', 'day'] as const;
export type Interval = (typeof INTERVALS)[number];

export interface ObservationQuery {
  from?: string;
  to?: string;
  aggregate?: Aggregate;
  interval?: Interval;
  limit?: number;
}

export interface ObservationSeries {
  datastream: { id: number; key: string; deviceId: string; property: string; unit: string };
  from: string;
  to: string;
  aggregate: Aggregate | null;
  interval: Interval | null;
  items: Array<{ time: string; value: number; quality?: string; count?: number }>;
}

const DAY_MS = 86_400_000;

/** Resolves `123` or `device.property` to a datastream the principal may see. */
async function findStream(db: Db, principal: Principal, ref: string) {
  let q = db
    .selectFrom('datahub_datastream as s')
    .innerJoin('datahub_device as d', 'd.id', 's.device_id')
    .select(['s.id', 's.device_id', 's.property', 's.unit', 'd.division_code', 'd.department_code']);
  if (/^\d{1,15}$/.test(ref)) q = q.where('s.id', '=', Number(ref));
  else {
    const dot = ref.indexOf('.');
    if (dot < 1) throw new NotFoundError(`Datastream ${ref} not found.`, 'datastream.not_found');
    q = q.where('s.device_id', '=', ref.slice(0, dot)).where('s.property', '=', ref.slice(dot + 1));
  }
  const row = await q.executeTakeFirst();
  if (!row || !deviceVisibleTo(principal, row as Pick<DeviceRow, 'division_code' | 'department_code'>))
    throw new NotFoundError(`Datastream ${ref} not found.`, 'datastream.not_found');
  return row;
}

function parseTime(value: string | undefined, field: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new InvalidInputError(`${field} must be an RFC 3339 date-time.`, { field });
  return new Date(t);
}

/** Observations of one datastream (`device.read`), raw or aggregated. */
export async function queryObservations(
  db: Db,
  principal: Principal,
  ref: string,
  query: ObservationQuery,
  context: { now: Date; timeZone: string; retentionDays: number },
): Promise<ObservationSeries> {
  authorize(principal, 'device.read');
  const stream = await findStream(db, principal, ref);
  const to = parseTime(query.to, 'to', context.now);
  const from = parseTime(query.from, 'from', new Date(to.getTime() - DAY_MS));
  if (from.getTime() >= to.getTime())
    throw new InvalidInputError('from must be before to.', { field: 'from' }, 'observations.invalid_range');
  const id = Number(stream.id);
  const limit = query.limit ?? 1000;
  const head = {
    datastream: {
      id,
      key: `${stream.device_id}.${stream.property}`,
      deviceId: stream.device_id,
      property: stream.property,
      unit: stream.unit,
    },
    from: from.toISOString(),
    to: to.toISOString(),
  };

  if (!query.aggregate) {
    const rows = await db
      .selectFrom('datahub_observation')
      .select(['time', 'value', 'quality'])
      .where('datastream_id', '=', id)
      .where('time', '>=', from)
      .where('time', '<', to)
      .orderBy('time')
      .limit(limit)
      .execute();
    return {
      ...head,
      aggregate: null,
      interval: null,
      items: rows.map((r) => ({ time: new Date(r.time).toISOString(), value: r.value, quality: r.quality })),
    };
  }

  const interval = query.interval ?? 'hour';
  const cutoff =
    context.retentionDays > 0 ? new Date(context.now.getTime() - context.retentionDays * DAY_MS) : null;
  // Before the cutoff raw rows are gone; hours and days can still be answered from rollups.
  const rawFrom = cutoff && interval !== 'minute' && cutoff > from ? cutoff : from;
  const tz = interval === 'day' ? context.timeZone : 'UTC';
  const buckets = new Map<number, { count: number; sum: number; min: number; max: number }>();
  const add = (t: Date, b: { count: number; sum: number; min: number; max: number }) => {
    const key = new Date(t).getTime();
    const cur = buckets.get(key);
    if (!cur) buckets.set(key, { ...b });
    else {
      cur.count += b.count;
      cur.sum += b.sum;
      cur.min = Math.min(cur.min, b.min);
      cur.max = Math.max(cur.max, b.max);
    }
  };
  if (rawFrom < to) {
    const { rows } = await sql<{ bucket: Date; count: number; sum: number; min: number; max: number }>`
      select date_trunc(${interval}, time, ${tz}) as bucket, count(*)::int as count, sum(value) as sum,
        min(value) as min, max(value) as max
      from datahub_observation
      where datastream_id = ${id} and time >= ${rawFrom} and time < ${to}
      group by 1`.execute(db);
    for (const r of rows) add(r.bucket, r);
  }
  if (rawFrom > from) {
    const { rows } = await sql<{ bucket: Date; count: number; sum: number; min: number; max: number }>`
      select date_trunc(${interval}, hour, ${tz}) as bucket, sum(count)::int as count, sum(sum) as sum,
        min(min) as min, max(max) as max
      from datahub_observation_hourly
      where datastream_id = ${id} and hour >= ${from} and hour < ${rawFrom}
      group by 1`.execute(db);
    for (const r of rows) add(r.bucket, r);
  }
  const aggregate = query.aggregate;
  const items = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, limit)
    .map(([t, b]) => ({
      time: new Date(t).toISOString(),
      value:
        aggregate === 'count'
          ? b.count
          : aggregate === 'min'
            ? b.min
            : aggregate === 'max'
              ? b.max
              : b.sum / b.count,
      count: b.count,
    }));
  return { ...head, aggregate, interval, items };
}
