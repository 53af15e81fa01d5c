/**
 * Monthly partitions of `datahub_observation` (declarative range partitioning, UTC months).
 * Creating a month is skipped, with a report, when the default partition already holds rows
 * of that month: PostgreSQL refuses the new partition then, and moving rows is left to an
 * operator.
 */
import { type QueryExecutorProvider, sql } from 'kysely';
import type { Db } from '../kernel/index.ts';

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1));
const partitionName = (d: Date) =>
  `datahub_observation_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/** Creates the partitions of the months from `monthsBack` before `now` to `monthsAhead` after it. */
export async function ensureMonthlyPartitions(
  db: QueryExecutorProvider,
  now: Date,
  monthsBack: number,
  monthsAhead: number,
): Promise<{ created: string[]; skipped: string[] }> {
  const created: string[] = [];
  const skipped: string[] = [];
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    where p.relname = 'datahub_observation' and p.relnamespace = c.relnamespace
      and pg_table_is_visible(p.oid)`.execute(db);
  const existing = new Set(rows.map((r) => r.name));
  for (let k = -monthsBack; k <= monthsAhead; k++) {
    const from = monthStart(now.getUTCFullYear(), now.getUTCMonth() + k);
    const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
    const name = partitionName(from);
    if (existing.has(name)) continue;
    const { rows: inDefault } = await sql<{ n: number }>`
      select count(*)::int as n from datahub_observation_default
      where time >= ${from} and time < ${to}`.execute(db);
    if (inDefault[0].n > 0) {
      skipped.push(name);
      continue;
    }
    await sql`create table if not exists ${sql.id(name)} partition of datahub_observation
      for values from (${sql.lit(from.toISOString())}) to (${sql.lit(to.toISOString())})`.execute(db);
    created.push(name);
  }
  return { created, skipped };
}

/** Drops whole monthly partitions that end at or before `cutoff`; returns their names. */
export async function dropPartitionsBefore(db: Db, cutoff: Date): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    where p.relname = 'datahub_observation' and p.relnamespace = c.relnamespace
      and pg_table_is_visible(p.oid)`.execute(db);
  const dropped: string[] = [];
  for (const { name } of rows) {
    const m = /^datahub_observation_y(\d{4})m(\d{2})$/.exec(name);
    if (!m) continue;
    const end = monthStart(Number(m[1]), Number(m[2]));
    if (end.getTime() <= cutoff.getTime()) {
      await sql`drop table ${sql.id(name)}`.execute(db);
      dropped.push(name);
    }
  }
  return dropped;
}
