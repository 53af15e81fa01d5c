/**
 * Housekeeping of the time series, run by the scheduler job `datahub.maintenance` (hourly,
 * exactly once across nodes): upcoming monthly partitions, hourly rollups, retention.
 */
import { sql } from 'kysely';
import type { Db } from '../kernel/index.ts';
import { dropPartitionsBefore, ensureMonthlyPartitions } from './partitions.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Rollups are recomputed this far back each run, so late observations are counted. */
const LATE_WINDOW_MS = 3 * HOUR_MS;
export const MAINTENANCE_JOB = 'datahub.maintenance';
export const MAINTENANCE_EVERY_MS = HOUR_MS;

const floorHour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;

/**
 * Aggregates whole past hours into `datahub_observation_hourly` (count, min, max, sum per
 * datastream and UTC hour), from the last rolled hour (less a late window) up to `now`'s hour.
 */
export async function rollupHours(db: Db, now: Date): Promise<{ from: Date; to: Date } | null> {
  const state = await db
    .selectFrom('datahub_rollup_state')
    .select('rolled_until')
    .where('name', '=', 'hourly')
    .executeTakeFirst();
  const to = new Date(floorHour(now.getTime()));
  let from: Date;
  if (state) from = new Date(new Date(state.rolled_until).getTime() - LATE_WINDOW_MS);
  else {
    const first = await db
      .selectFrom('datahub_observation')
      .select((eb) => eb.fn.min('time').as('t'))
      .executeTakeFirst();
    if (!first?.t) return null;
    from = new Date(floorHour(new Date(first.t as Date).getTime()));
  }
  if (from >= to) return null;
  await sql`
    insert into datahub_observation_hourly (datastream_id, hour, count, min, max, sum)
    select datastream_id, date_trunc('hour', time, 'UTC'), count(*), min(value), max(value), sum(value)
    from datahub_observation
    where time >= ${from} and time < ${to}
    group by 1, 2
    on conflict (datastream_id, hour) do update
      set count = excluded.count, min = excluded.min, max = excluded.max, sum = excluded.sum`.execute(db);
  await db
    .insertInto('datahub_rollup_state')
    .values({ name: 'hourly', rolled_until: to })
    .onConflict((oc) => oc.column('name').doUpdateSet({ rolled_until: to }))
    .execute();
  return { from, to };
}

/**
 * Deletes raw observations older than `retentionDays` (whole monthly partitions are dropped,
 * the rest deleted); hourly rollups stay. Rolls up first so nothing is lost to downsampling.
 */
export async function applyRetention(
  db: Db,
  now: Date,
  retentionDays: number,
): Promise<{ cutoff: Date; droppedPartitions: string[]; deleted: number } | null> {
  if (retentionDays <= 0) return null;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const droppedPartitions = await dropPartitionsBefore(db, cutoff);
  const res = await db.deleteFrom('datahub_observation').where('time', '<', cutoff).executeTakeFirst();
  return { cutoff, droppedPartitions, deleted: Number(res.numDeletedRows) };
}

/** Everything the hourly job does, in order. */
export async function runMaintenance(db: Db, now: Date, retentionDays: number) {
  const partitions = await ensureMonthlyPartitions(db, now, 0, 3);
  const rollup = await rollupHours(db, now);
  const retention = await applyRetention(db, now, retentionDays);
  return { partitions, rollup, retention };
}
