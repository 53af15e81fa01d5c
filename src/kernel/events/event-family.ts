/**
 * Typed events: each capability declares the payload of every event type it publishes in an
 * event map (type string → payload), and gets from {@link defineEvents} the creation and
 * subscription typed by it. The kernel stays generic over the map, so it imports no
 * capability; a subscriber imports the map from the face of the capability that publishes
 * (docs/events.md lists them all).
 */
import { type EventBus, type EventHandler, type PlatformEvent, createEvent } from './event-bus.ts';

/** An event map's shape: every payload is a JSON object. */
export type EventMap<M> = { readonly [K in keyof M]: object };

/** The event types of a map. */
export type EventTypeOf<M> = keyof M & string;

/** The event of type `K` of map `M`; with a union of types, the union of their events. */
export type EventOf<M extends EventMap<M>, K extends keyof M = keyof M> =
  K extends EventTypeOf<M> ? PlatformEvent<M[K], K> : never;

/** `a.*`, `a.b.*`, … for a dotted type `a.b.c`. */
type PrefixPatterns<T extends string> = T extends `${infer Head}.${infer Rest}`
  ? `${Head}.*` | `${Head}.${PrefixPatterns<Rest>}`
  : never;

/** What a typed subscription may name: one type of the map, or a prefix pattern (`case.*`) of its types. */
export type EventPattern<M> = EventTypeOf<M> | PrefixPatterns<EventTypeOf<M>>;

/** The events of map `M` that `pattern` matches (the rule of `matchesPattern`). */
export type EventMatching<M extends EventMap<M>, P extends string> = P extends `${infer Prefix}.*`
  ? EventOf<M, Extract<EventTypeOf<M>, `${Prefix}.${string}`>>
  : EventOf<M, Extract<EventTypeOf<M>, P>>;

/** Creation and subscription of one capability's events, typed by its event map. */
export interface EventFamily<M extends EventMap<M>> {
  /** Every type of the map, in the order declared. */
  readonly types: readonly EventTypeOf<M>[];
  /** Builds an event with a fresh id; the payload must be the one the map gives its type. */
  create<K extends EventTypeOf<M>>(type: K, data: M[K], occurredAt: Date, subject?: string): EventOf<M, K>;
  /** Subscribes on `bus` to a type or prefix pattern of the map; returns the function that unsubscribes. */
  subscribe<P extends EventPattern<M>>(
    bus: EventBus,
    pattern: P,
    handler: (event: EventMatching<M, P>) => void | Promise<void>,
  ): () => void;
  /** True when `event` is of one of the map's types (its payload is then the map's, trusted). */
  has(event: PlatformEvent): event is EventOf<M>;
}

/**
 * The typed creation and subscription of an event map. `types` names each type of the map
 * once (the compiler refuses a missing or an extra one), so the catalogue test and
 * docs/events.md can be checked against the map at run time.
 *
 * Payloads are trusted as typed: the map is the contract between the publisher and its
 * subscribers, and what the bus carries (NATS included) is the JSON `create` built.
 */
export function defineEvents<M extends EventMap<M>>(
  types: { readonly [K in EventTypeOf<M>]: true },
): EventFamily<M> {
  const list = Object.keys(types) as EventTypeOf<M>[];
  const known = new Set<string>(list);
  return {
    types: list,
    create: (type, data, occurredAt, subject) =>
      createEvent(type, data, occurredAt, subject) as EventOf<M, typeof type>,
    // The bus delivers what matches the pattern; the pattern names only this map's types.
    subscribe: (bus, pattern, handler) => bus.subscribe(pattern, handler as EventHandler),
    has: (event): event is EventOf<M> => known.has(event.type),
  };
}
