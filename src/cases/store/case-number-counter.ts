/**
 * The counter behind case numbers (case-number.ts): one row per day, incremented with
 * `insert … on conflict do update … returning` inside the intake transaction. The row lock
 * serializes concurrent intakes, so no two share a number (never `max()+1`, which hands one
 * number to two concurrent requests).
 */
import { sql } from 'kysely';
import type { Db } from '../../kernel/index.ts';

/**
 * Reserves `count` consecutive numbers of a day (`YYYYMMDD`) in one statement, for a
 * group-committed batch; returns the last sequence reserved (the block ends there).
 */
export async function reserveCaseNumbers(trx: Db, day: string, count: number): Promise<number> {
  const { rows } = await sql<{ last: number }>`
    insert into case_number_counter (day, last) values (${day}, ${count})
    on conflict (day) do update set last = case_number_counter.last + ${count}
    returning last`.execute(trx);
  return Number(rows[0].last);
}
