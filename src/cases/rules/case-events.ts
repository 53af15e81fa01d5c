/**
 * The events cases publishes and their payloads (docs/events.md). The same JSON goes on the
 * bus, into the case event log (the live stream's frames) and into webhook deliveries.
 */
import { defineEvents, type EventOf, type PlatformEvent, type Stage } from '../../kernel/index.ts';
import type { EscalationLevel } from './case-model.ts';

/** `case.reported`: a report became a case in state `reported` (intake). */
export interface CaseReported {
  caseId: string;
  number: string;
  category: string;
  channel: string;
  districtCode: string | null;
}

/** Every transition's event (docs/case-workflow.md, the transition table). */
export interface CaseTransitioned {
  caseId: string;
  number: string;
  /** The action taken (`dispatch`, `handle`, …). */
  action: string;
  /** The state before and after; equal for actions that keep the state (supervise, whistle…). */
  from: string;
  to: string;
  /** The case's version after the transition. */
  version: number;
  /** Id of the principal who took the action. */
  actor: string;
  category: string;
  districtCode: string | null;
  /** The lead department after the transition, or null when the case has none. */
  leadDepartment: string | null;
}

/** `case.sla_yellow`: a stage's SLA light turned yellow. */
export interface CaseSlaYellow {
  caseId: string;
  stage: Stage;
}

/** `case.supervised` from the SLA clock: a stage went red and its supervision notice was sent. */
export interface CaseSupervisedBySla {
  caseId: string;
  stage: Stage;
  automatic: true;
}

/**
 * Why a case goes one level up: the SLA clock (a supervised stage stayed red), or the
 * `escalate` action's reason (which publishes its transition's event instead).
 */
export type EscalationParams = { stage: Stage; automatic: true } | { reason?: string };

/** `case.escalated` from the SLA clock: a supervised stage stayed red and the case went one level up. */
export type CaseEscalatedBySla = EscalationParams & {
  caseId: string;
  /** The level the case is at now. */
  level: EscalationLevel;
};

/** `case.report_in_missed`: summoned departments did not report in by the whistle's deadline. */
export interface CaseReportInMissed {
  caseId: string;
  whistleId: number;
  /** The departments that did not report in. */
  departments: string[];
}

/** The event type of each transition of the transition table (transitions.ts). */
export type CaseTransitionEventType =
  | 'case.filed'
  | 'case.rejected'
  | 'case.dispatched'
  | 'case.accepted'
  | 'case.returned'
  | 'case.extension_requested'
  | 'case.extension_decided'
  | 'case.deferred'
  | 'case.parked'
  | 'case.resumed'
  | 'case.handled'
  | 'case.verified'
  | 'case.closed'
  | 'case.evaluated'
  | 'case.supervised'
  | 'case.escalated'
  | 'case.merged'
  | 'case.whistled'
  | 'case.reported_in'
  | 'case.linkage_rated';

/** The transitions' events but the two the SLA clock publishes too. */
type OnlyTransitionEvents = {
  readonly [K in Exclude<CaseTransitionEventType, 'case.supervised' | 'case.escalated'>]: CaseTransitioned;
};

/** Cases' event types and their payloads. */
export interface CaseEventMap extends OnlyTransitionEvents {
  'case.reported': CaseReported;
  /** By the `supervise` action, or by the SLA clock when a stage goes red. */
  'case.supervised': CaseTransitioned | CaseSupervisedBySla;
  /** By the `escalate` action, or by the SLA clock after a supervised stage stays red. */
  'case.escalated': CaseTransitioned | CaseEscalatedBySla;
  'case.sla_yellow': CaseSlaYellow;
  'case.report_in_missed': CaseReportInMissed;
}

/** Typed creation of and subscription to cases' events. */
export const caseEvents = defineEvents<CaseEventMap>({
  'case.reported': true,
  'case.filed': true,
  'case.rejected': true,
  'case.dispatched': true,
  'case.accepted': true,
  'case.returned': true,
  'case.extension_requested': true,
  'case.extension_decided': true,
  'case.deferred': true,
  'case.parked': true,
  'case.resumed': true,
  'case.handled': true,
  'case.verified': true,
  'case.closed': true,
  'case.evaluated': true,
  'case.supervised': true,
  'case.escalated': true,
  'case.merged': true,
  'case.whistled': true,
  'case.reported_in': true,
  'case.linkage_rated': true,
  'case.sla_yellow': true,
  'case.report_in_missed': true,
});

/** Any event cases publishes. */
export type CaseEvent = EventOf<CaseEventMap>;

/** A transition's event: the payload every transition carries. */
export type CaseTransitionEvent = PlatformEvent<CaseTransitioned, CaseTransitionEventType>;
