/**
 * Human-readable case numbers: the city's local date `YYYYMMDD` and a 5-digit sequence of
 * that day, e.g. `2026030200017`. The sequence comes from one counter row per day,
 * incremented with `insert … on conflict do update … returning` inside the intake
 * transaction: the row lock serializes concurrent intakes, so no two share a number
 * (never `max()+1`, which hands one number to two concurrent requests).
 */
import { sql } from 'kysely';
import type { Db } from '../kernel/index.ts';
import { localDate } from './sla-clock.ts';

/** Takes the next number of the local day of `now`. */
export async function nextCaseNumber(trx: Db, now: Date, timeZone: string): Promise<string> {
  const day = localDate(now, timeZone).replaceAll('-', '');
  const { rows } = await sql<{ last: number }>`
    insert into case_number_counter (day, last) values (${day}, 1)
    on conflict (day) do update set last = case_number_counter.last + 1
    returning last`.execute(trx);
  const seq = Number(rows[0].last);
  // Beyond 99,999 a day the number grows a digit rather than wrapping.
  return `${day}${String(seq).padStart(5, '0')}`;
}
