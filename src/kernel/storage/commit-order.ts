/**
 * The platform's commit-order lock. A transaction that appends to one of the platform's
 * ordered logs (the audit chain, the case event log) takes it before it numbers its rows
 * and holds it until it ends (a transaction-scoped advisory lock). Such transactions take
 * their numbers and commit one after another, so a log's numbers follow commit order: a
 * reader that sees row n committed has already been able to see every row numbered below n
 * (PostgreSQL makes a commit visible before it releases the transaction's locks), and
 * reading "every row above the last one I had" never skips one that commits later.
 *
 * Re-entrant: a second call in the same transaction returns at once. On PGlite, whose one
 * connection runs one transaction at a time, it costs a statement and changes nothing.
 */
import { sql } from 'kysely';
import type { Db } from './database.ts';

export async function takeCommitOrderLock(db: Db): Promise<void> {
  if (!db.isTransaction) throw new Error('takeCommitOrderLock needs a transaction: the lock ends with it');
  // The audit chain's key since its first release: nodes of different versions running side
  // by side during an upgrade must take the same lock.
  await sql`select pg_advisory_xact_lock(hashtext('onecity.audit:' || current_schema()))`.execute(db);
}
