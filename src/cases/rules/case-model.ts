/**
 * The case model: states, channels, satisfaction levels and the shapes services return.
 * docs/design.md#the-closed-loop names the states; `transitions.ts` says how a case moves between them.
 */
import { STAGES, type Stage, URGENCIES, type Urgency } from '../../kernel/index.ts';
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
  responsibility: { ruleId: string | null; listVersion: string | null; override: boolean };
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

/*
 * Response schemas of the shapes above, one per shape, reused by every route answering it.
 * Fastify serialises an answer with its schema: a property the schema leaves out is dropped
 * and a value of another type coerced, so each schema lists every property its type has
 * (`case-schemas.test.ts` answers a fully-populated case through the routes and compares).
 * An object without `required` has every property always (the generated web types read it
 * so, scripts/generate-api-types.ts); one with optional properties lists the others.
 */

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const timeOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const lightSchema = { type: 'string', enum: ['green', 'yellow', 'red'] } as const;
const stateOrNull = { type: ['string', 'null'], enum: [...CASE_STATES, null] } as const;

/** {@link Reporter}, masked for who reads it. */
export const reporterSchema = {
  type: 'object',
  properties: {
    name: strOrNull,
    phone: strOrNull,
    email: strOrNull,
    address: strOrNull,
    consent: { type: 'boolean' },
    sourceCaseId: str,
  },
} as const;

/** {@link CaseStageView}. */
export const caseStageSchema = {
  type: ['object', 'null'],
  properties: {
    stage: { type: 'string', enum: STAGES },
    round: { type: 'integer' },
    basis: { type: 'string', enum: ['working', 'calendar'] },
    limitMinutes: { type: 'number' },
    extensionMinutes: { type: 'number' },
    startedAt: time,
    deadline: timeOrNull,
    paused: { type: 'boolean' },
    light: lightSchema,
    endedAt: timeOrNull,
  },
} as const;

/** {@link LinkageView}. */
export const linkageViewSchema = {
  type: 'object',
  properties: {
    whistleId: { type: 'integer' },
    department: str,
    deadline: time,
    reportedInAt: timeOrNull,
    missed: { type: 'boolean' },
    rating: { type: ['integer', 'null'] },
  },
} as const;

const caseViewProperties = {
  id: str,
  number: str,
  channel: { type: 'string', enum: CHANNELS },
  clientRequestId: strOrNull,
  category: str,
  urgency: { type: 'string', enum: URGENCIES },
  state: { type: 'string', enum: CASE_STATES },
  resumeState: stateOrNull,
  version: { type: 'integer' },
  location: {
    type: 'object',
    properties: { lat: { type: 'number' }, lon: { type: 'number' }, address: strOrNull },
  },
  divisions: {
    type: 'object',
    properties: { grid: strOrNull, community: strOrNull, street: strOrNull, district: strOrNull },
  },
  description: str,
  media: { type: 'array', items: str },
  leadDepartment: strOrNull,
  assistDepartments: { type: 'array', items: str },
  responsibility: {
    type: 'object',
    properties: { ruleId: strOrNull, listVersion: strOrNull, override: { type: 'boolean' } },
  },
  escalationLevel: { type: 'string', enum: ESCALATION_LEVELS },
  light: { type: ['string', 'null'], enum: ['green', 'yellow', 'red', null] },
  stage: caseStageSchema,
  deadlines: {
    type: 'object',
    description: 'The deadline of each stage the case has entered',
    required: [],
    additionalProperties: false,
    properties: Object.fromEntries(STAGES.map((s) => [s, time])) as Record<Stage, typeof time>,
  },
  extension: {
    type: ['object', 'null'],
    properties: {
      status: { type: 'string', enum: ['pending', 'approved', 'refused'] },
      minutes: { type: 'number' },
    },
  },
  satisfaction: { type: ['string', 'null'], enum: [...SATISFACTION, null] },
  links: {
    type: 'object',
    properties: { mergedInto: strOrNull, duplicateOf: strOrNull, parentAlertId: strOrNull },
  },
  duplicateCandidates: {
    type: 'array',
    items: {
      type: 'object',
      properties: { id: str, number: str, distanceMeters: { type: 'integer' } },
    },
  },
  reporters: { type: 'array', items: reporterSchema, description: 'With the case alone, masked' },
  linkage: { type: 'array', items: linkageViewSchema, description: 'With the case alone' },
  reportedAt: time,
  updatedAt: time,
  closedAt: timeOrNull,
} as const;

/** {@link CaseView}: `reporters` and `linkage` come with one case, not with a list. */
export const caseViewSchema = {
  type: 'object',
  required: Object.keys(caseViewProperties).filter((k) => k !== 'reporters' && k !== 'linkage'),
  properties: caseViewProperties,
} as const;

/** {@link HistoryEntry}. */
export const historyEntrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    action: str,
    fromState: stateOrNull,
    toState: stateOrNull,
    actor: str,
    actorRoles: { type: 'array', items: str },
    at: time,
    params: { type: 'object', additionalProperties: true, description: 'The parameters of the action' },
  },
} as const;

/** The history of one case. */
export interface CaseHistory {
  caseId: string;
  number: string;
  entries: HistoryEntry[];
}

/** {@link CaseHistory}. */
export const caseHistorySchema = {
  type: 'object',
  properties: { caseId: str, number: str, entries: { type: 'array', items: historyEntrySchema } },
} as const;
