/**
 * The principal cache: a bearer session or an API key, once resolved from the database, is
 * reused in-process for a short TTL so that single-request endpoints do not pay a lookup
 * per request (on the embedded database every statement queues on its one connection).
 *
 * Security rules (docs/identity.md):
 * - entries are keyed by the SHA-256 of the secret, never by the secret;
 * - only successful resolutions are cached, so a bad or revoked credential always reaches
 *   the database;
 * - the session's or key's own `expires_at` is checked against the platform clock on every
 *   hit;
 * - logout, session and key revocation, password reset and any user change invalidate the
 *   affected entries of the app's own cache right after commit (`inTransaction`, through the
 *   actor's `principalCache`), and on other nodes through the `identity.principal_invalidated` bus event; a node that misses
 *   the event serves a stale entry at most for the TTL;
 * - a lookup that started before an invalidation does not store its (possibly stale) result.
 */
import type { EventOf } from '../kernel/index.ts';
import { type IdentityEventMap, identityEvents, type PrincipalInvalidation } from './identity-events.ts';
import type { Principal } from './permissions.ts';

export type { PrincipalInvalidation } from './identity-events.ts';

/** Bus event type carrying {@link PrincipalInvalidation} to every node. */
export const PRINCIPAL_INVALIDATED = 'identity.principal_invalidated';

/** The event that carries a {@link PrincipalInvalidation}. */
export type PrincipalInvalidated = EventOf<IdentityEventMap, typeof PRINCIPAL_INVALIDATED>;

/** A resolved credential as cached. */
export interface CachedPrincipal {
  principal: Principal;
  userId: string;
  sessionId?: string;
  apiKeyId?: string;
  /** When the session or key stops being valid (ms since epoch), or null for never. */
  expiresAtMs: number | null;
}

export interface PrincipalCacheOptions {
  /** How long an entry is reused, in ms; 0 disables the cache. */
  ttlMs: number;
  /** Entries kept at most; the least recently used goes first. */
  maxEntries: number;
  /** Monotonic milliseconds (tests inject their own). */
  now?: () => number;
}

interface Entry {
  value: CachedPrincipal;
  storedAt: number;
}

/** What a change needs of a cache: dropping the entries it affects (see `Actor.principalCache`). */
export type PrincipalInvalidator = Pick<PrincipalCache, 'invalidate'>;

/** A bounded LRU map from credential hash to principal, with a TTL and invalidation. */
export class PrincipalCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  #generation = 0;

  constructor(options: PrincipalCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#max = Math.max(1, options.maxEntries);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Bumped by every invalidation; a lookup stores its result only if it did not change meanwhile. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached principal of a credential hash, or undefined (missing or older than the TTL). */
  get(hash: string): CachedPrincipal | undefined {
    const entry = this.#entries.get(hash);
    if (!entry) return undefined;
    this.#entries.delete(hash);
    if (this.#now() - entry.storedAt >= this.#ttlMs) return undefined;
    this.#entries.set(hash, entry);
    return entry.value;
  }

  /** Stores a resolution made when {@link generation} was `generation` (dropped if it moved since). */
  set(hash: string, value: CachedPrincipal, generation: number): void {
    if (this.#ttlMs <= 0 || generation !== this.#generation) return;
    this.#entries.delete(hash);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(hash, { value, storedAt: this.#now() });
  }

  /** Forgets one credential hash. */
  delete(hash: string): void {
    this.#entries.delete(hash);
  }

  /** Drops the entries a change affects. Invalidations are rare, so a scan is fine. */
  invalidate(what: PrincipalInvalidation): void {
    this.#generation++;
    const sessions = new Set(what.sessionIds ?? []);
    const keys = new Set(what.apiKeyIds ?? []);
    for (const [hash, { value }] of this.#entries)
      if (
        (what.userId !== undefined && value.userId === what.userId) ||
        (value.sessionId !== undefined && sessions.has(value.sessionId)) ||
        (value.apiKeyId !== undefined && keys.has(value.apiKeyId))
      )
        this.#entries.delete(hash);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}

/** The bus event that makes other nodes drop the same entries. */
export function principalInvalidatedEvent(what: PrincipalInvalidation, at: Date): PrincipalInvalidated {
  const data: PrincipalInvalidation = {};
  if (what.userId !== undefined) data.userId = what.userId;
  if (what.sessionIds?.length) data.sessionIds = what.sessionIds;
  if (what.apiKeyIds?.length) data.apiKeyIds = what.apiKeyIds;
  return identityEvents.create(
    PRINCIPAL_INVALIDATED,
    data,
    at,
    what.userId ? `user:${what.userId}` : undefined,
  );
}

/** Reads an invalidation from a bus event, keeping only well-formed fields (another node sent it). */
export function invalidationOf(event: PrincipalInvalidated): PrincipalInvalidation {
  const d: { [K in keyof PrincipalInvalidation]?: unknown } = event.data;
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    userId: typeof d.userId === 'string' ? d.userId : undefined,
    sessionIds: ids(d.sessionIds),
    apiKeyIds: ids(d.apiKeyIds),
  };
}
