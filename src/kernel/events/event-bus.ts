import { randomUUID } from 'node:crypto';

/**
 * Something that happened on the platform, as carried by the bus. `T` is the payload and `K`
 * the type; a capability's event map gives both (`EventOf`, event-family.ts).
 */
export interface PlatformEvent<T = object, K extends string = string> {
  /** Unique id (UUID); consumers use it to drop duplicates. */
  readonly id: string;
  /** Dotted type, e.g. `case.filed`, `observation.latest`. */
  readonly type: K;
  /** ISO 8601 time it happened (platform clock). */
  readonly occurredAt: string;
  /** The object it is about, e.g. `case:2026112800123`. */
  readonly subject?: string;
  readonly data: T;
}

/** A subscriber; `EventFamily.subscribe` gives it the typed events of one capability. */
export type EventHandler = (event: PlatformEvent) => void | Promise<void>;

/** Publish/subscribe between capabilities and, with NATS, between nodes. */
export interface EventBus {
  /** Which implementation is in use: `in-process` or `nats`. */
  readonly kind: 'in-process' | 'nats';
  /** Publishes after the state change is committed. Resolves when the bus has accepted it. */
  publish(event: PlatformEvent): Promise<void>;
  /**
   * Subscribes to a type (`case.filed`), a prefix pattern (`case.*`) or everything (`*`).
   * Returns the function that unsubscribes.
   */
  subscribe(pattern: string, handler: EventHandler): () => void;
  close(): Promise<void>;
}

/**
 * Builds an event with a fresh id, of any type and payload. Capabilities publish through
 * their event family's typed `create` instead (`defineEvents`, docs/events.md).
 */
export function createEvent<T extends object, K extends string = string>(
  type: K,
  data: T,
  occurredAt: Date,
  subject?: string,
): PlatformEvent<T, K> {
  return { id: randomUUID(), type, occurredAt: occurredAt.toISOString(), subject, data };
}

/** True when `type` matches `pattern` (`*`, `case.*`, or exact). */
export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === '>') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Delivers to local subscribers; handler errors are reported, never thrown at the publisher. */
export class LocalDispatcher {
  #subs = new Set<{ pattern: string; handler: EventHandler }>();
  constructor(private readonly onError: (err: unknown, event: PlatformEvent) => void) {}

  subscribe(pattern: string, handler: EventHandler): () => void {
    const sub = { pattern, handler };
    this.#subs.add(sub);
    return () => this.#subs.delete(sub);
  }

  async deliver(event: PlatformEvent): Promise<void> {
    for (const sub of [...this.#subs]) {
      if (!matchesPattern(sub.pattern, event.type)) continue;
      try {
        await sub.handler(event);
      } catch (err) {
        this.onError(err, event);
      }
    }
  }
}

/** The single-node bus. */
export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process' as const;
  #local: LocalDispatcher;
  constructor(onError: (err: unknown, event: PlatformEvent) => void = () => {}) {
    this.#local = new LocalDispatcher(onError);
  }
  async publish(event: PlatformEvent): Promise<void> {
    await this.#local.deliver(event);
  }
  subscribe(pattern: string, handler: EventHandler): () => void {
    return this.#local.subscribe(pattern, handler);
  }
  async close(): Promise<void> {}
}
