import type { Db, EventBus } from '../kernel/index.ts';
import type { IdentityEvent } from './identity-events.ts';
import type { Principal } from './permissions.ts';
import { invalidationOf, PRINCIPAL_INVALIDATED, type PrincipalInvalidator } from './principal-cache.ts';

/** Who performs a change, when, and under which request: what every audited service needs. */
export interface Actor {
  principal: Principal;
  /** The platform clock's now. */
  now: Date;
  requestId?: string;
  /** When given, events are published on it after commit. */
  bus?: EventBus;
  /**
   * The app's principal cache (identity's), when given: the cached principals a change
   * affects are dropped from it right after commit. `actorOf` sets it from the request's
   * app; without it, the change reaches caches only through the bus event.
   */
  principalCache?: PrincipalInvalidator;
}

/** The platform itself (first start, seeding): an administrator that is not a person. */
export const SYSTEM_PRINCIPAL: Principal = Object.freeze({
  kind: 'service',
  id: 'system',
  username: 'system',
  roles: ['admin'],
  departmentCodes: [],
  divisionCodes: [],
}) as Principal;

/** An actor for work the platform does on its own behalf (bootstrap, demo seeding). */
export function systemActor(now: Date, requestId?: string): Actor {
  return { principal: SYSTEM_PRINCIPAL, now, requestId };
}

/**
 * Runs `work` in a transaction (or in the caller's, when `db` already is one) and then
 * publishes its events, but only when the transaction was ours: inside a caller's
 * transaction the caller owns the commit, and so the publishing.
 *
 * `identity.principal_invalidated` events also drop the cached principals of the actor's
 * app (`actor.principalCache`) right after commit, before anything is published, so a
 * revoked credential stops working on this node at once; no other app's cache is touched.
 * Inside a caller's transaction that happens immediately (best effort: a request racing
 * the caller's commit may cache the old state until the TTL).
 */
export async function inTransaction<T>(
  db: Db,
  actor: Actor,
  work: (trx: Db, events: IdentityEvent[]) => Promise<T>,
): Promise<T> {
  const events: IdentityEvent[] = [];
  if (db.isTransaction) {
    const result = await work(db, events);
    invalidateCachedPrincipals(actor, events);
    return result;
  }
  const result = await db.transaction().execute((trx) => work(trx, events));
  invalidateCachedPrincipals(actor, events);
  if (actor.bus) for (const event of events) await actor.bus.publish(event);
  return result;
}

function invalidateCachedPrincipals(actor: Actor, events: readonly IdentityEvent[]) {
  const cache = actor.principalCache;
  if (!cache) return;
  for (const event of events)
    if (event.type === PRINCIPAL_INVALIDATED) cache.invalidate(invalidationOf(event));
}
