import type { Actor } from '../identity/index.ts';
import type { Db } from '../kernel/index.ts';
import type { OrgEvent } from './org-events.ts';

/**
 * Runs `work` in a transaction (or in the caller's, when `db` already is one) and publishes
 * the events it collected after commit — only when the transaction was ours, since inside
 * a caller's transaction the caller owns the commit.
 */
export async function inTransaction<T>(
  db: Db,
  actor: Actor,
  work: (trx: Db, events: OrgEvent[]) => Promise<T>,
): Promise<T> {
  const events: OrgEvent[] = [];
  if (db.isTransaction) return work(db, events);
  const result = await db.transaction().execute((trx) => work(trx, events));
  if (actor.bus) for (const event of events) await actor.bus.publish(event);
  return result;
}
