/**
 * Wide rows read as one JSON text each. PGlite's JavaScript wire parser copies and decodes
 * every column of a result on its own, then runs its type parser: wide rows read faster as
 * one `row_to_json(…)::text` each, parsed by `JSON.parse` (docs/benchmarks-log.md,
 * 2026-11-28 23:24). PostgreSQL gives the same values either way.
 *
 * JSON has no dates: the caller names its timestamp columns, which come back as `Date`s like
 * the ordinary path's (a test per table compares both paths).
 */
import { type AliasedRawBuilder, sql } from 'kysely';

/** `row_to_json(<table or alias>)::text as j`: select it alone, read with `rowsFromJson`. */
export const wholeRowJson = (tableOrAlias: string): AliasedRawBuilder<string, 'j'> =>
  sql<string>`row_to_json(${sql.table(tableOrAlias)})::text`.as('j');

/** Parses `wholeRowJson` results; the named columns become `Date`s (null stays null). */
export function rowsFromJson<T>(rows: ReadonlyArray<{ j: string }>, timestamps: readonly string[]): T[] {
  const out = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = withDates<T>(JSON.parse(rows[i].j), timestamps);
  return out;
}

/** Parses a JSON array of rows (`json_agg(…)::text`); the named columns become `Date`s. */
export function arrayFromJson<T>(text: string, timestamps: readonly string[] = []): T[] {
  const rows = JSON.parse(text) as Array<Record<string, unknown>>;
  return rows.map((row) => withDates<T>(row, timestamps));
}

function withDates<T>(row: Record<string, unknown>, timestamps: readonly string[]): T {
  for (const column of timestamps) {
    const v = row[column];
    if (typeof v === 'string') row[column] = new Date(v);
  }
  return row as T;
}
