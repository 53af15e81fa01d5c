/** The events perception publishes and their payloads (docs/events.md, docs/perception.md). */
import { defineEvents, type EventOf } from '../kernel/index.ts';
import type { LeafValue } from './rules/index.ts';

/** `alert.raised`: a rule's condition held long enough on a device. */
export interface AlertRaised {
  alertId: string;
  rule: string;
  deviceId: string;
  severity: string;
  /** Observation time (ISO 8601). */
  raisedAt: string;
  values: LeafValue[];
  divisionCode: string | null;
  districtCode: string | null;
}

/** `alert.acknowledged`: someone took the alert in hand. */
export interface AlertAcknowledged {
  alertId: string;
  rule: string;
  deviceId: string;
  actor: string;
}

/** `alert.resolved`: the alert is over, by the condition clearing (`actor` null) or by hand. */
export interface AlertResolved {
  alertId: string;
  rule: string;
  deviceId: string;
  actor: string | null;
  resolvedAt: string;
}

/** Perception's event types and their payloads. */
export interface PerceptionEventMap {
  'alert.raised': AlertRaised;
  'alert.acknowledged': AlertAcknowledged;
  'alert.resolved': AlertResolved;
}

/** Typed creation of and subscription to perception's events. */
export const perceptionEvents = defineEvents<PerceptionEventMap>({
  'alert.raised': true,
  'alert.acknowledged': true,
  'alert.resolved': true,
});

/** Any event perception publishes. */
export type PerceptionEvent = EventOf<PerceptionEventMap>;
