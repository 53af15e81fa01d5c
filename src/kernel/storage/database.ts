import type { ColumnType, Kysely } from 'kysely';

/**
 * The tables of the platform's database as Kysely sees them (`Db` is `Kysely<Database>`).
 * The kernel names no capability's table: each capability adds its own, beside its
 * migrations, in a `*-tables.ts` file that augments this interface by declaration merging
 * (`declare module '../kernel/index.ts'`), so the kernel imports no capability
 * (docs/architecture.md, "Rules of the house"). Column types are what both engines return
 * (`openStorage`): int8 and numeric as numbers, timestamptz as `Date`, jsonb parsed.
 */
// biome-ignore lint/suspicious/noEmptyInterface: each capability's tables file fills it by declaration merging
export interface Database {}

/** The one database handle every service uses. Capabilities type their own tables. */
export type Db = Kysely<Database>;

/** A timestamptz column: read as a `Date`, written as a `Date` or an ISO 8601 string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A timestamptz column with a default: optional on insert. */
export type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/**
 * A jsonb column: read as the parsed value, written as its JSON text (`JSON.stringify`),
 * which both drivers pass through unchanged (node-postgres would send an array as a
 * PostgreSQL array).
 */
export type Json<T> = ColumnType<T, string, string>;

/** A jsonb column with a default: optional on insert. */
export type DefaultedJson<T> = ColumnType<T, string | undefined, string>;
