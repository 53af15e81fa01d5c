/**
 * The case model: states, channels, satisfaction levels and the shapes services return.
 * docs/design.md#the-closed-loop names the states; `transitions.ts` says how a case moves between them.
 */
import type { Stage, Urgency } from '../../kernel/index.ts';
import type { SlaLight } from './sla-clock.ts';

/** Main states of the closed loop (docs/design.md#the-closed-loop). */
export const MAIN_STATES = [
  'reported',
  'filed',
  'rejected',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'closed',
  'evaluated',
  'merged',
] as const;

/**
 * Side states: a case waits in them and then resumes the main state it left
 * (`resume_state`). Extension approval is not a resting state: an approved extension is
 * recorded on the case and moves the stage deadline.
 */
export const SIDE_STATES = ['extension_pending', 'deferred', 'parked'] as const;

export const CASE_STATES = [...MAIN_STATES, ...SIDE_STATES] as const;
export type CaseState = (typeof CASE_STATES)[number];

/** States after which nothing more happens to a case (evaluation aside). */
export const TERMINAL_STATES: readonly CaseState[] = ['rejected', 'closed', 'evaluated', 'merged'];
/** States of a case still being worked on: duplicates are looked for among these. */
export const OPEN_STATES: readonly CaseState[] = CASE_STATES.filter((s) => !TERMINAL_STATES.includes(s));

/** How a report came in. */
export const CHANNELS = [
  'hotline',
  'web',
  'app',
  'open311',
  'grid_patrol',
  'sensor_alert',
  'video_alert',
  'higher_assignment',
  'media',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Citizen satisfaction after closure (docs/indicators.md#definitions, three rates). */
export const SATISFACTION = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];

/** Which stage clock runs while a case is in a main state. */
export const STAGE_OF_STATE: Readonly<Partial<Record<CaseState, Stage>>> = Object.freeze({
  reported: 'file',
  filed: 'dispatch',
  dispatched: 'accept',
  in_progress: 'handle',
  rework: 'handle',
  handled: 'verify',
});

/** Escalation levels, one step up at a time (department → district government → city center). */
export const ESCALATION_LEVELS = ['department', 'district_government', 'city_command_center'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** The reporter's personal data, kept apart from the case for masking. */
export interface Reporter {
  name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  consent: boolean;
  /** The case this reporter first reported (differs from the case after a merge). */
  sourceCaseId: string;
}

/** The SLA state of the stage a case is in. */
export interface CaseStageView {
  stage: Stage;
  round: number;
  basis: 'working' | 'calendar';
  limitMinutes: number;
  extensionMinutes: number;
  startedAt: string;
  deadline: string | null;
  paused: boolean;
  light: SlaLight;
  endedAt: string | null;
}

/** A case as the API returns it. */
export interface CaseView {
  id: string;
  number: string;
  channel: Channel;
  clientRequestId: string | null;
  category: string;
  urgency: Urgency;
  state: CaseState;
  resumeState: CaseState | null;
  version: number;
  location: { lat: number; lon: number; address: string | null };
  divisions: {
    grid: string | null;
    community: string | null;
    street: string | null;
    district: string | null;
  };
  description: string;
  media: string[];
  leadDepartment: string | null;
  assistDepartments: string[];
  responsibility: { ruleId: string | null; listVersion: number | string | null; override: boolean };
  escalationLevel: EscalationLevel;
  light: SlaLight | null;
  stage: CaseStageView | null;
  deadlines: Partial<Record<Stage, string>>;
  extension: { status: 'pending' | 'approved' | 'refused'; minutes: number } | null;
  satisfaction: Satisfaction | null;
  links: { mergedInto: string | null; duplicateOf: string | null; parentAlertId: string | null };
  duplicateCandidates: Array<{ id: string; number: string; distanceMeters: number }>;
  reporters?: Reporter[];
  linkage?: LinkageView[];
  reportedAt: string;
  updatedAt: string;
  closedAt: string | null;
}

/** One summoned department of a whistle. */
export interface LinkageView {
  whistleId: number;
  department: string;
  deadline: string;
  reportedInAt: string | null;
  missed: boolean;
  rating: number | null;
}

/** One row of a case's history. */
export interface HistoryEntry {
  seq: number;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  actor: string;
  actorRoles: string[];
  at: string;
  params: Record<string, unknown>;
}
