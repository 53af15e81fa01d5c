/** The events org publishes and their payloads (docs/events.md). */
import { defineEvents, type EventOf } from '../kernel/index.ts';

/** `org.divisions.changed`: divisions were imported, added or changed; every node rebuilds its locate index. */
export interface DivisionsChanged {
  /** How many divisions the change wrote. */
  count: number;
  /** The demo city's seed, when the demo city was generated. */
  seed?: number;
}

/** Org's event types and their payloads. */
export interface OrgEventMap {
  'org.divisions.changed': DivisionsChanged;
}

/** Typed creation of and subscription to org's events. */
export const orgEvents = defineEvents<OrgEventMap>({ 'org.divisions.changed': true });

/** Any event org publishes. */
export type OrgEvent = EventOf<OrgEventMap>;
