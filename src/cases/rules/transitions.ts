/**
 * The case state machine as ONE table (docs/case-workflow.md#actions): for each action, the states it may
 * start from, the state it leads to, the track and roles that may take it, the permission
 * it needs, and the guards that must hold. `applyAction` (case-actions.ts) is the only code that moves a case and it
 * reads nothing but this table. docs/case-workflow.md is generated from it.
 */
import type { Permission, Role } from '../../identity/index.ts';
import type { CaseTransitionEventType } from './case-events.ts';
import type { CaseState } from './case-model.ts';

export const CASE_ACTIONS = [
  'file',
  'reject',
  'dispatch',
  'accept',
  'return',
  'request-extension',
  'decide-extension',
  'defer',
  'park',
  'unpark',
  'handle',
  'verify',
  'close',
  'evaluate',
  'supervise',
  'escalate',
  'merge',
  'whistle',
  'report-in',
  'rate-linkage',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/**
 * The tracks of "one center, dual track" plus the parties around them. No role belongs to
 * two of supervision, command and department.
 */
export type Track = 'supervision' | 'command' | 'department' | 'linkage' | 'citizen';

/** Named guards; each is checked by `checkGuard` in transition-decide.ts. */
export const GUARDS = {
  reason: 'a non-empty `reason` is given',
  note: 'a non-empty `note` is given',
  lead_department: "the caller belongs to the case's lead department",
  not_reporter: 'the caller did not report the case (the discoverer never handles)',
  not_handler: 'the caller did not handle the case (the handler never verifies or closes)',
  evidence: 'at least one evidence reference (photo, document) is given',
  override_reason: 'overriding the responsibility list names lead/assist departments and a `reason`',
  extension_minutes: 'a positive number of `minutes` is requested',
  decision: '`approve` is true or false',
  verify_result: '`result` is pass or fail; a fail gives a `note`',
  satisfaction: '`satisfaction` is satisfied, basically_satisfied or unsatisfied',
  reporter_or_supervision: 'a citizen may evaluate only the cases they reported',
  not_top_level: 'the case is not yet at the city command center',
  merge_target: '`into` names another open case the caller can see',
  departments: '`departments` lists at least one department',
  summoned_department: "the caller's department was summoned and has not reported in",
  rated_department: '`department` was summoned and `rating` is an integer from 1 to 5',
} as const;
export type GuardName = keyof typeof GUARDS;

/** Where a transition leads. */
export type Target =
  | CaseState
  /** The case stays where it is (linkage, supervision, escalation). */
  | 'same'
  /** Back to the main state the case left for a side state. */
  | 'resume'
  /** Chosen by a parameter. */
  | { readonly param: string; readonly values: Readonly<Record<string, CaseState>> };

export interface Transition {
  readonly action: CaseAction;
  readonly summary: string;
  readonly from: readonly CaseState[];
  readonly to: Target;
  readonly track: Track;
  readonly roles: readonly Role[];
  /**
   * The permission the action needs besides one of `roles`: every role listed grants it, so
   * it is what an API key's scopes must include to take the action.
   */
  readonly permission: Permission;
  readonly guards: readonly GuardName[];
  /** Event published on the bus after commit. */
  readonly event: CaseTransitionEventType;
}

const DEPARTMENT: readonly Role[] = ['department_handler', 'department_leader'];
const ACTIVE: readonly CaseState[] = ['filed', 'dispatched', 'in_progress', 'rework', 'extension_pending'];
const PAUSABLE: readonly CaseState[] = ['filed', 'dispatched', 'in_progress', 'rework'];
const OPEN: readonly CaseState[] = [
  'reported',
  'filed',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'extension_pending',
  'deferred',
  'parked',
];

/** The transition table. Order is the order of the documentation. */
export const TRANSITIONS: readonly Transition[] = Object.freeze([
  {
    action: 'file',
    summary: 'Supervision accepts a report as a case (立案)',
    from: ['reported'],
    to: 'filed',
    track: 'supervision',
    roles: ['supervision_operator'],
    permission: 'case.file',
    guards: [],
    event: 'case.filed',
  },
  {
    action: 'reject',
    summary: 'Supervision refuses to file an invalid report (不予立案)',
    from: ['reported'],
    to: 'rejected',
    track: 'supervision',
    roles: ['supervision_operator'],
    permission: 'case.file',
    guards: ['reason'],
    event: 'case.rejected',
  },
  {
    action: 'dispatch',
    summary: 'Command sends the case to the lead and assisting departments of the responsibility list (派遣)',
    from: ['filed'],
    to: 'dispatched',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.dispatch',
    guards: ['override_reason'],
    event: 'case.dispatched',
  },
  {
    action: 'accept',
    summary: 'The lead department takes the case on',
    from: ['dispatched'],
    to: 'in_progress',
    track: 'department',
    roles: DEPARTMENT,
    permission: 'case.handle',
    guards: ['lead_department'],
    event: 'case.accepted',
  },
  {
    action: 'return',
    summary: 'The lead department sends the case back as not its responsibility (退回)',
    from: ['dispatched'],
    to: 'filed',
    track: 'department',
    roles: DEPARTMENT,
    permission: 'case.handle',
    guards: ['lead_department', 'reason'],
    event: 'case.returned',
  },
  {
    action: 'request-extension',
    summary: 'The lead department asks for more time to handle (延期申请)',
    from: ['in_progress', 'rework'],
    to: 'extension_pending',
    track: 'department',
    roles: DEPARTMENT,
    permission: 'case.handle',
    guards: ['lead_department', 'extension_minutes', 'reason'],
    event: 'case.extension_requested',
  },
  {
    action: 'decide-extension',
    summary: 'Command approves (the handle deadline moves) or refuses an extension',
    from: ['extension_pending'],
    to: 'resume',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.dispatch',
    guards: ['decision'],
    event: 'case.extension_decided',
  },
  {
    action: 'defer',
    summary: 'Command defers a case that cannot be handled yet (缓办): its clock pauses',
    from: PAUSABLE,
    to: 'deferred',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.dispatch',
    guards: ['reason'],
    event: 'case.deferred',
  },
  {
    action: 'park',
    summary: 'Command parks a case that cannot be solved now (挂账): its clock pauses',
    from: PAUSABLE,
    to: 'parked',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.dispatch',
    guards: ['reason'],
    event: 'case.parked',
  },
  {
    action: 'unpark',
    summary: 'Command resumes a deferred or parked case; its clock runs again',
    from: ['deferred', 'parked'],
    to: 'resume',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.dispatch',
    guards: [],
    event: 'case.resumed',
  },
  {
    action: 'handle',
    summary: 'The lead department reports the work done, with evidence (处置反馈)',
    from: ['in_progress', 'rework'],
    to: 'handled',
    track: 'department',
    roles: DEPARTMENT,
    permission: 'case.handle',
    guards: ['lead_department', 'evidence', 'not_reporter'],
    event: 'case.handled',
  },
  {
    action: 'verify',
    summary: 'Supervision checks the result on site: pass closes, fail sends it back (核查)',
    from: ['handled'],
    to: { param: 'result', values: { pass: 'closed', fail: 'rework' } },
    track: 'supervision',
    roles: ['supervision_operator', 'grid_worker'],
    permission: 'case.verify',
    guards: ['verify_result', 'not_handler'],
    event: 'case.verified',
  },
  {
    action: 'close',
    summary:
      'Supervision closes without on-site verification: solved on the spot, or confirmed by call-back (结案)',
    from: ['filed', 'handled'],
    to: 'closed',
    track: 'supervision',
    roles: ['supervision_operator'],
    permission: 'case.close',
    guards: ['note', 'not_handler'],
    event: 'case.closed',
  },
  {
    action: 'evaluate',
    summary: 'The reporter (or supervision on a call-back) rates satisfaction (评价)',
    from: ['closed'],
    to: 'evaluated',
    track: 'citizen',
    roles: ['citizen', 'supervision_operator'],
    permission: 'case.evaluate',
    guards: ['satisfaction', 'reporter_or_supervision'],
    event: 'case.evaluated',
  },
  {
    action: 'supervise',
    summary: 'Command formally urges the lead department (督办); a notice goes to its leader',
    from: [...ACTIVE, 'handled'],
    to: 'same',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.dispatch',
    guards: ['note'],
    event: 'case.supervised',
  },
  {
    action: 'escalate',
    summary: 'Command moves the case one level up: department → district government → city command center',
    from: ACTIVE,
    to: 'same',
    track: 'command',
    roles: ['dispatcher'],
    permission: 'case.escalate',
    guards: ['reason', 'not_top_level'],
    event: 'case.escalated',
  },
  {
    action: 'merge',
    summary: 'Supervision merges a duplicate into another open case; its reporters follow (合并)',
    from: OPEN,
    to: 'merged',
    track: 'supervision',
    roles: ['supervision_operator'],
    permission: 'case.file',
    guards: ['merge_target'],
    event: 'case.merged',
  },
  {
    action: 'whistle',
    summary: 'A street officer summons departments with a report-in deadline (街乡吹哨)',
    from: ACTIVE,
    to: 'same',
    track: 'linkage',
    roles: ['street_officer'],
    permission: 'case.whistle',
    guards: ['departments'],
    event: 'case.whistled',
  },
  {
    action: 'report-in',
    summary: 'A summoned department reports in (部门报到)',
    from: [...ACTIVE, 'handled', 'deferred', 'parked'],
    to: 'same',
    track: 'linkage',
    roles: DEPARTMENT,
    permission: 'case.handle',
    guards: ['summoned_department'],
    event: 'case.reported_in',
  },
  {
    action: 'rate-linkage',
    summary: 'The street rates each summoned department from 1 to 5; ratings feed evaluation',
    from: [...ACTIVE, 'handled', 'deferred', 'parked', 'closed', 'evaluated'],
    to: 'same',
    track: 'linkage',
    roles: ['street_officer'],
    permission: 'case.whistle',
    guards: ['rated_department'],
    event: 'case.linkage_rated',
  },
] satisfies Transition[]);

const BY_ACTION = new Map(TRANSITIONS.map((t) => [t.action, t]));

/** The transition of an action. */
export function transitionOf(action: CaseAction): Transition {
  return BY_ACTION.get(action)!;
}

/** True when the string names an action. */
export function isCaseAction(value: string): value is CaseAction {
  return BY_ACTION.has(value as CaseAction);
}

/** The actions a set of roles may ever take (regardless of state). */
export function actionsOfRoles(roles: readonly Role[]): CaseAction[] {
  return TRANSITIONS.filter((t) => t.roles.some((r) => roles.includes(r))).map((t) => t.action);
}

function targetText(to: Target): string {
  if (typeof to === 'string') return to === 'same' ? '(unchanged)' : to === 'resume' ? '(state it left)' : to;
  return Object.entries(to.values)
    .map(([v, s]) => `${s} if ${to.param}=${v}`)
    .join('; ');
}

/** The transition table as Markdown (docs/case-workflow.md embeds it). */
export function renderTransitionTable(): string {
  const rows = TRANSITIONS.map(
    (t) =>
      `| \`${t.action}\` | ${t.from.join(', ')} | ${targetText(t.to)} | ${t.track} | ${t.roles.join(', ')} | \`${t.permission}\` | ${
        t.guards.map((g) => GUARDS[g]).join('; ') || '—'
      } | \`${t.event}\` |`,
  );
  return [
    '| action | from | to | track | roles | permission | guards | event |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
