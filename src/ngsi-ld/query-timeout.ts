/**
 * A ceiling on the database time of one client query. PostgreSQL cancels a statement of
 * the transaction that runs longer than the ceiling (`statement_timeout`, set for that
 * transaction only); the client gets TooComplexQuery. PGlite runs PostgreSQL without the
 * timer signals behind `statement_timeout` and ignores it: on the embedded database the
 * limits on client patterns (client-pattern.ts) are what bound a query.
 */
import { sql } from 'kysely';
import type { Db } from '../kernel/index.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';

/** SQLSTATE of a statement cancelled by `statement_timeout`. */
const QUERY_CANCELED = '57014';
/** SQLSTATE of a regular expression PostgreSQL cannot compile (e.g. "too complex"). */
const INVALID_REGULAR_EXPRESSION = '2201B';

/** Runs `read` in a transaction whose statements may each take at most `timeoutMs`. */
export async function withStatementTimeout<T>(
  db: Db,
  timeoutMs: number,
  read: (trx: Db) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
      return read(trx);
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === QUERY_CANCELED)
      throw new NgsiLdError('TooComplexQuery', `The query ran longer than ${timeoutMs} ms; narrow it down.`);
    if (code === INVALID_REGULAR_EXPRESSION)
      throw new NgsiLdError(
        'BadRequestData',
        `A pattern of the query was refused: ${(err as Error).message}.`,
      );
    throw err;
  }
}
