/**
 * In-memory token buckets, one set per server node: a bucket per key holds up to `burst`
 * tokens and refills at `perMinute`. Behind a load balancer with N nodes a client gets at
 * most N times the limit; the limits guard against floods, not exact quotas. Time comes
 * from the caller (the platform clock), so tests need not sleep.
 */
import { TooManyRequestsError } from '../kernel/index.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxKeys: number;

  constructor(
    readonly perMinute: number,
    options: { burst?: number; maxKeys?: number } = {},
  ) {
    this.#perMs = perMinute / 60_000;
    this.#burst = options.burst ?? perMinute;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes a token for `key`; returns 0 when granted, else the seconds until one is available. */
  take(key: string, nowMs: number): number {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= this.#maxKeys) this.#evictFull(nowMs);
      b = { tokens: this.#burst, at: nowMs };
      this.#buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.#burst, b.tokens + (nowMs - b.at) * this.#perMs);
      b.at = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000));
  }

  /** Drops buckets that have refilled completely (they hold no information), bounding memory. */
  #evictFull(nowMs: number): void {
    for (const [k, b] of this.#buckets)
      if (b.tokens + (nowMs - b.at) * this.#perMs >= this.#burst) this.#buckets.delete(k);
    if (this.#buckets.size >= this.#maxKeys) this.#buckets.clear();
  }
}

/** The three limits of an Open311 post: per api key, per device and per client address. */
export class IntakeRateLimits {
  readonly perKey: TokenBuckets;
  readonly perDevice: TokenBuckets;
  readonly perAddress: TokenBuckets;

  constructor(limits: { perKey: number; perDevice: number; perAddress: number }) {
    this.perKey = new TokenBuckets(limits.perKey);
    this.perDevice = new TokenBuckets(limits.perDevice);
    this.perAddress = new TokenBuckets(limits.perAddress);
  }

  /** Throws TooManyRequests (429 with Retry-After) when any bucket is empty. */
  check(who: { key: string | null; device: string | null; address: string }, nowMs: number): void {
    const checks: Array<[TokenBuckets, string | null, string]> = [
      [this.perKey, who.key, 'api key'],
      [this.perDevice, who.device, 'device'],
      [this.perAddress, who.key ? null : who.address, 'address'],
    ];
    for (const [buckets, id, what] of checks) {
      if (!id) continue;
      const wait = buckets.take(id, nowMs);
      if (wait > 0)
        throw new TooManyRequestsError(
          `Too many reports from this ${what}; try again in ${wait} s.`,
          wait,
          'open311.rate_limited',
        );
    }
  }
}
