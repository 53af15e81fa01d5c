/**
 * The decision of one transition, without the database: from the case row, its stages, what
 * the load step read for the action's guards ({@link TransitionFacts}), the principal, the
 * parameters and the time, `decide` checks the transition table's guards and returns every
 * write the transition owes ({@link Decision}): the new row, stage changes, timers to cancel
 * and schedule, notifications, history, audit, the event, milestones and linkage rows. The
 * runner (transition-batch.ts) collects the decisions of a batch and writes them set-based.
 */
import type { AuditEntry } from '../../audit/index.ts';
import { authorize, type Principal } from '../../identity/index.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  type PlatformEvent,
  type ScheduleRequest,
  type Stage,
  UnauthenticatedError,
} from '../../kernel/index.ts';
import type { CaseEngine, Responsibility } from '../case-engine.ts';
import {
  type CaseState,
  ESCALATION_LEVELS,
  OPEN_STATES,
  SATISFACTION,
  type Satisfaction,
  STAGE_OF_STATE,
} from '../rules/case-model.ts';
import { timingsOf } from '../store/case-outbox.ts';
import type { CaseRow, StageRow } from '../store/case-store.ts';
import { reportInDeadlineJob } from './linkage.ts';
import type { NotificationInput } from '../outreach/notifications.ts';
import {
  extendClock,
  lightOf,
  pauseClock,
  resumeClock,
  type StageClock,
  thresholds,
} from '../rules/sla-clock.ts';
import { escalationNotice, nextThresholdJob, type StagePatch, timerKey } from '../timers/sla-timers.ts';
import { type CaseAction, type GuardName, type Transition, transitionOf } from '../rules/transitions.ts';
import { transitionRecords } from './transition-records.ts';

/** The body of an action request: the version the caller saw, and the action's parameters. */
export interface ActionParams {
  version: number;
  reason?: string;
  note?: string;
  lead?: string;
  assist?: string[];
  minutes?: number;
  approve?: boolean;
  evidence?: string[];
  result?: 'pass' | 'fail';
  satisfaction?: Satisfaction;
  comment?: string;
  into?: string;
  departments?: string[];
  deadlineMinutes?: number;
  department?: string;
  rating?: number;
  [extra: string]: unknown;
}

/** One action request. */
export interface TransitionCommand {
  principal: Principal;
  idOrNumber: string;
  action: CaseAction;
  params: ActionParams;
}

/** A `case_reporter` row, as a merge copies it to its target. */
export interface ReporterRow {
  source_case_id: string | null;
  user_id: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  consent: boolean;
}

/** What the load step read for an action's guards and effect (transition-batch.ts, `loadFacts`). */
export interface TransitionFacts {
  /** dispatch without a `lead`, and file with auto-dispatch: the responsibility list's answer. */
  responsibility?: Responsibility | null;
  /** reporter_or_supervision: the principal is among the case's reporters. */
  isReporter?: boolean;
  /** merge_target: the target, when it is another open case the principal can see. */
  target?: CaseRow | null;
  /** merge: the reporters to copy to the target. */
  reporters?: ReporterRow[];
  /** summoned_department: the principal's departments summoned and not reported in. */
  summoned?: string[];
  /** rated_department: the department named was summoned to the case. */
  ratedSummoned?: boolean;
  /** whistle: the id reserved for the new whistle. */
  whistleId?: number;
}

/** A report-in or a rating of linkage rows. */
export type LinkageUpdate =
  | { kind: 'report-in'; caseId: string; departments: string[]; by: string; at: Date }
  | {
      kind: 'rate';
      caseId: string;
      department: string;
      rating: number;
      comment: string | null;
      by: string;
      at: Date;
    };

/** The writes of decisions, collected for the runner's set-based flush. */
export interface Pending {
  cases: Array<{ before: CaseRow; row: CaseRow }>;
  stageUpdates: Array<{ before: StageRow; row: StageRow }>;
  cancels: string[];
  newStages: Array<Omit<StageRow, 'id'>>;
  jobs: ScheduleRequest[];
  notes: NotificationInput[];
  history: Array<Record<string, unknown>>;
  audit: AuditEntry[];
  events: Array<{ event: PlatformEvent; row: CaseRow }>;
  timings: Array<Record<string, unknown>>;
  whistles: Array<Record<string, unknown>>;
  linkages: Array<Record<string, unknown>>;
  reporters: Array<Record<string, unknown>>;
  linkageUpdates: LinkageUpdate[];
}

/** Nothing to write yet. */
export const emptyPending = (): Pending => ({
  cases: [],
  stageUpdates: [],
  cancels: [],
  newStages: [],
  jobs: [],
  notes: [],
  history: [],
  audit: [],
  events: [],
  timings: [],
  whistles: [],
  linkages: [],
  reporters: [],
  linkageUpdates: [],
});

/** Adds a decision's writes to what a batch collected. */
export function collect(into: Pending, from: Pending): void {
  for (const k of Object.keys(from) as Array<keyof Pending>) (into[k] as unknown[]).push(...from[k]);
}

/** What a decision needs of the engine: settings and catalogue, no database. */
export type DecideEngine = Pick<CaseEngine, 'calendar' | 'settings' | 'modules'>;

export const PAUSED: readonly CaseState[] = ['deferred', 'parked'];

const blank = (s: unknown) => typeof s !== 'string' || s.trim() === '';

/** The principal of automatic dispatch right after filing (category.autoDispatch). */
export const AUTO_DISPATCHER: Principal = Object.freeze({
  kind: 'service',
  id: 'system:auto-dispatch',
  username: 'auto-dispatch',
  roles: ['dispatcher'],
  departmentCodes: [],
  divisionCodes: [],
}) as Principal;

/**
 * Throws unless the principal may take the transition's action at all: one of its roles on
 * the action's track (403 `case.track_violation`), then the action's permission, which an
 * API key's scopes must include (403 `forbidden`).
 */
export function assertMayTake(t: Transition, principal: Principal): void {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError();
  if (!principal.roles.some((r) => t.roles.includes(r)))
    throw new ForbiddenError(
      `${t.action} belongs to the ${t.track} track (${t.roles.join(', ')}); your roles may not take it.`,
      'case.track_violation',
      { action: t.action, track: t.track, allowedRoles: t.roles },
    );
  authorize(principal, t.permission);
}

/**
 * The checks every transition makes first: who may take it (`assertMayTake`), version, state.
 * The case is visible: the runner checked it with reach `jurisdiction`, which the action's
 * permission grants.
 */
export function precheck(
  t: Transition,
  action: CaseAction,
  row: CaseRow,
  principal: Principal,
  params: ActionParams,
): void {
  assertMayTake(t, principal);
  if (params.version !== row.version)
    throw new ConflictError(
      `Case ${row.number} has changed (version ${row.version}, you sent ${params.version}). Reload and retry.`,
      'case.version_conflict',
      { currentVersion: row.version },
    );
  if (!t.from.includes(row.state))
    throw new ConflictError(
      `A case in state ${row.state} cannot be ${action}.`,
      'case.transition_not_allowed',
      {
        action,
        state: row.state,
        allowedFrom: t.from,
      },
    );
}

export function targetState(t: Transition, row: CaseRow, params: ActionParams): CaseState {
  if (t.to === 'same') return row.state;
  if (t.to === 'resume') return row.resume_state ?? 'filed';
  if (typeof t.to === 'string') return t.to;
  return t.to.values[String(params[t.to.param])];
}

export function recordedParams(params: ActionParams): Record<string, unknown> {
  const { version: _v, ...rest } = params;
  return rest;
}

/**
 * Whether a responsibility match dispatches a filed case by itself: only a real match does;
 * a fallback to the district government waits for a dispatcher.
 */
export const dispatchesByItself = (match: Responsibility | null | undefined): boolean =>
  !!match && (!match.source || match.source === 'rule' || match.source === 'category_default');

/**
 * reporter_or_supervision without reading the reporters: supervision evaluates for a citizen,
 * and whoever reported the case may evaluate it.
 */
export const supervisesOrReported = (row: CaseRow, principal: Principal): boolean =>
  principal.roles.includes('supervision_operator') || row.reported_by === principal.id;

/** Throws unless a guard of the transition table holds. */
export function checkGuard(g: GuardName, row: CaseRow, c: TransitionCommand, facts: TransitionFacts): void {
  const { params: p, principal } = c;
  switch (g) {
    case 'reason':
      if (blank(p.reason))
        throw new InvalidInputError('Give a reason.', { field: 'reason' }, 'case.reason_required');
      return;
    case 'note':
      if (blank(p.note)) throw new InvalidInputError('Give a note.', { field: 'note' }, 'case.note_required');
      return;
    case 'lead_department':
      if (!row.lead_department || !principal.departmentCodes.includes(row.lead_department))
        throw new ForbiddenError(
          `Only the lead department (${row.lead_department ?? 'none'}) may do this.`,
          'case.not_lead_department',
        );
      return;
    case 'not_reporter':
      if (row.reported_by === principal.id)
        throw new ForbiddenError('Whoever discovered a case never handles it.', 'case.track_violation');
      return;
    case 'not_handler':
      if (row.handled_by === principal.id)
        throw new ForbiddenError(
          'Whoever handled a case never verifies or closes it.',
          'case.track_violation',
        );
      return;
    case 'evidence':
      if (!Array.isArray(p.evidence) || p.evidence.length === 0 || p.evidence.some(blank))
        throw new InvalidInputError(
          'Handling needs evidence.',
          { field: 'evidence' },
          'case.evidence_required',
        );
      return;
    case 'override_reason':
      if ((p.lead !== undefined || p.assist !== undefined) && (blank(p.lead) || blank(p.reason)))
        throw new InvalidInputError(
          'Overriding the responsibility list needs a lead department and a reason.',
          { field: 'reason' },
          'case.override_reason_required',
        );
      return;
    case 'extension_minutes':
      if (!Number.isInteger(p.minutes) || !(Number(p.minutes) > 0))
        throw new InvalidInputError('Ask for a whole, positive number of minutes.', { field: 'minutes' });
      return;
    case 'decision':
      if (typeof p.approve !== 'boolean')
        throw new InvalidInputError('Say whether the extension is approved.', { field: 'approve' });
      if (p.minutes !== undefined && !(Number.isInteger(p.minutes) && p.minutes > 0))
        throw new InvalidInputError('Approve a whole, positive number of minutes.', { field: 'minutes' });
      return;
    case 'verify_result':
      if (p.result !== 'pass' && p.result !== 'fail')
        throw new InvalidInputError('The result is pass or fail.', { field: 'result' });
      if (p.result === 'fail' && blank(p.note))
        throw new InvalidInputError('Say why verification failed.', { field: 'note' }, 'case.note_required');
      return;
    case 'satisfaction':
      if (!SATISFACTION.includes(p.satisfaction as Satisfaction))
        throw new InvalidInputError(`Satisfaction is one of ${SATISFACTION.join(', ')}.`, {
          field: 'satisfaction',
        });
      return;
    case 'reporter_or_supervision':
      if (supervisesOrReported(row, principal)) return;
      if (!facts.isReporter)
        throw new ForbiddenError('Only the reporter may evaluate this case.', 'case.not_reporter');
      return;
    case 'not_top_level':
      if (row.escalation_level >= ESCALATION_LEVELS.length - 1)
        throw new ConflictError('The case is already at the city command center.', 'case.already_top_level');
      return;
    case 'merge_target':
      if (!facts.target)
        throw new InvalidInputError(
          '`into` must name another open case.',
          { field: 'into' },
          'case.invalid_merge_target',
        );
      return;
    case 'departments':
      if (!Array.isArray(p.departments) || p.departments.length === 0 || p.departments.some(blank))
        throw new InvalidInputError('Summon at least one department.', { field: 'departments' });
      return;
    case 'summoned_department':
      if (!facts.summoned?.length)
        throw new ForbiddenError('Your department has no pending summons on this case.', 'case.not_summoned');
      return;
    case 'rated_department':
      if (!Number.isInteger(p.rating) || (p.rating as number) < 1 || (p.rating as number) > 5)
        throw new InvalidInputError('A rating is an integer from 1 to 5.', { field: 'rating' });
      if (!facts.ratedSummoned)
        throw new InvalidInputError('That department was not summoned to this case.', {
          field: 'department',
        });
      return;
  }
}

/**
 * The merge target a load step read is valid for a merge of `row`: another open case (the
 * runner also checked that the principal can see it).
 */
export const isMergeTarget = (row: CaseRow, target: CaseRow | undefined): boolean =>
  !!target && target.id !== row.id && OPEN_STATES.includes(target.state);

/**
 * Decides one transition: checks its guards (the version, state and roles were checked by
 * `precheck`) and returns the new row with every write it owes. Throws the caller's error
 * when a guard fails; writes nothing either way.
 */
export function decide(
  engine: DecideEngine,
  row: CaseRow,
  stages: readonly StageRow[],
  command: TransitionCommand,
  facts: TransitionFacts,
  now: Date,
): { row: CaseRow; writes: Pending } {
  const { principal, action } = command;
  const t = transitionOf(action);
  for (const g of t.guards) checkGuard(g, row, command, facts);
  const w = emptyPending();
  const to = targetState(t, row, command.params);
  const { patch, recorded } = effect(engine, row, stages, command, facts, to, now, w);
  Object.assign(patch, moveClock(engine, row, stages, to, now, w));
  const next = { ...row, ...patch, state: to, version: row.version + 1, updated_at: now } as CaseRow;
  w.cases.push({ before: row, row: next });
  w.history.push({
    case_id: row.id,
    action,
    from_state: row.state,
    to_state: to,
    actor: principal.id,
    actor_roles: principal.roles,
    params: recorded,
    at: now,
  });
  const { audit, event } = transitionRecords({
    row,
    action,
    eventType: t.event,
    to,
    principal,
    recorded,
    leadDepartment: next.lead_department,
    now,
  });
  w.audit.push(audit);
  w.events.push({ event, row });
  w.timings.push(...timingsOf(engine.calendar, row, action, to, now, next.lead_department));
  return { row: next, writes: w };
}

/** Action-specific changes: the columns to set on the case and the parameters recorded. */
function effect(
  engine: DecideEngine,
  row: CaseRow,
  stages: readonly StageRow[],
  command: TransitionCommand,
  facts: TransitionFacts,
  to: CaseState,
  now: Date,
  w: Pending,
): { patch: Record<string, unknown>; recorded: Record<string, unknown> } {
  const { principal, params: p } = command;
  const recorded = recordedParams(p);
  const done = (patch: Record<string, unknown>) => ({ patch, recorded });
  switch (command.action) {
    case 'file':
      return done({ filed_at: now });
    case 'reject':
      return done({});
    case 'accept':
      return done({ accepted_at: now });
    case 'dispatch': {
      let lead: string;
      let assist: readonly string[];
      let rule: { ruleId: string | null; listVersion: string | number | null; override: boolean };
      if (p.lead !== undefined) {
        lead = p.lead;
        assist = (p.assist ?? []).filter((d) => d !== lead);
        rule = { ruleId: null, listVersion: null, override: true };
      } else {
        const match = facts.responsibility;
        if (!match)
          throw new ConflictError(
            `The responsibility list names no department for ${row.category} at ${row.grid_code ?? row.district_code ?? ''}.`,
            'case.no_responsible_department',
          );
        lead = match.lead;
        assist = match.assist;
        rule = { ruleId: match.ruleId, listVersion: match.listVersion, override: false };
      }
      w.notes.push({
        caseId: row.id,
        kind: 'dispatched',
        department: lead,
        role: 'department_handler',
        message: `Case ${row.number} was dispatched to your department as lead.`,
        at: now,
      });
      return done({
        lead_department: lead,
        assist_departments: [...assist],
        responsibility_rule_id: rule.ruleId,
        responsibility_list_version: rule.listVersion === null ? null : String(rule.listVersion),
        dispatch_override: rule.override,
        dispatched_at: now,
      });
    }
    case 'return':
      // The returning department gives the case up; the next dispatch chooses again.
      return done({ lead_department: null, assist_departments: [], dispatched_at: null });
    case 'request-extension':
      return done({
        resume_state: row.state,
        extension_status: 'pending',
        extension_requested_minutes: p.minutes,
      });
    case 'decide-extension': {
      if (!p.approve) return done({ resume_state: null, extension_status: 'refused' });
      const minutes = p.minutes ?? row.extension_requested_minutes ?? 0;
      return done({
        ...extendStage(engine, row, stages, minutes, now, w),
        resume_state: null,
        extension_status: 'approved',
        extension_minutes: row.extension_minutes + minutes,
      });
    }
    case 'defer':
      return done({ resume_state: row.state, was_deferred: true });
    case 'park':
      return done({ resume_state: row.state });
    case 'unpark':
      return done({ resume_state: null });
    case 'handle':
      return done({
        handled_by: principal.id,
        handled_at: now,
        media: [...row.media, ...(p.evidence ?? [])],
      });
    case 'verify':
    case 'close':
      return done(to === 'closed' ? { closed_at: now } : {});
    case 'evaluate':
      return done({ satisfaction: p.satisfaction, evaluated_at: now });
    case 'supervise':
      w.notes.push({
        caseId: row.id,
        kind: 'supervision_notice',
        ...(row.lead_department
          ? { department: row.lead_department, role: 'department_leader' }
          : { role: 'dispatcher', division: row.district_code }),
        message: `督办 Supervision notice on case ${row.number}: ${p.note}`,
        data: { note: p.note, by: principal.id },
        at: now,
      });
      return done({});
    case 'escalate': {
      // The action records its own history; the level's notification is the escalation's.
      const level = Math.min(row.escalation_level + 1, ESCALATION_LEVELS.length - 1);
      if (level === row.escalation_level) return done({});
      w.notes.push(escalationNotice(row, level, { reason: p.reason }, now));
      return done({ escalation_level: level });
    }
    case 'merge': {
      const target = facts.target!;
      for (const r of facts.reporters ?? []) {
        w.reporters.push({ ...r, case_id: target.id, created_at: now });
        if (r.user_id)
          w.notes.push({
            caseId: row.id,
            kind: 'merged',
            user: r.user_id,
            message: `Your report ${row.number} was merged into case ${target.number}; you will be kept informed.`,
            data: { into: target.id, intoNumber: target.number },
            at: now,
          });
      }
      return done({ merged_into_id: target.id, duplicate_of_id: target.id });
    }
    case 'whistle': {
      const minutes = p.deadlineMinutes ?? engine.settings.reportInMinutes;
      if (!(minutes > 0))
        throw new InvalidInputError('The report-in deadline must be positive.', { field: 'deadlineMinutes' });
      const deadline = new Date(now.getTime() + minutes * 60_000);
      const departments = [...new Set(p.departments!)];
      const whistleId = facts.whistleId!;
      w.whistles.push({
        id: whistleId,
        case_id: row.id,
        whistled_by: principal.id,
        note: p.note ?? null,
        deadline,
        created_at: now,
      });
      for (const d of departments) {
        w.linkages.push({ whistle_id: whistleId, case_id: row.id, department: d, deadline });
        w.notes.push({
          caseId: row.id,
          kind: 'linkage_summons',
          department: d,
          message: `吹哨 Your department is summoned to case ${row.number}; report in by ${deadline.toISOString()}.`,
          data: { whistleId, deadline: deadline.toISOString() },
          at: now,
        });
      }
      w.jobs.push(reportInDeadlineJob(whistleId, row.id, deadline));
      return { patch: {}, recorded: { ...recorded, whistleId } };
    }
    case 'report-in':
      w.linkageUpdates.push({
        kind: 'report-in',
        caseId: row.id,
        departments: facts.summoned!,
        by: principal.id,
        at: now,
      });
      return { patch: {}, recorded: { ...recorded, departments: facts.summoned } };
    case 'rate-linkage':
      w.linkageUpdates.push({
        kind: 'rate',
        caseId: row.id,
        department: p.department!,
        rating: p.rating!,
        comment: p.comment ?? null,
        by: principal.id,
        at: now,
      });
      return done({});
  }
}

const clockOf = (s: StageRow): StageClock => ({
  basis: s.basis,
  totalMinutes: s.limit_minutes + s.extension_minutes,
  consumedMinutes: s.consumed_minutes,
  runningSince: s.running_since,
});

/** The open stage of a case: its last one not ended. */
const openStage = (stages: readonly StageRow[]): StageRow | null =>
  [...stages].reverse().find((s) => !s.ended_at) ?? null;

function patchFor(row: CaseRow, stage: Stage, deadline: Date | null, light: StagePatch['light']): StagePatch {
  const deadlines = { ...row.deadlines };
  if (deadline) deadlines[stage] = deadline.toISOString();
  return { stage, light, deadlines, ...(stage === 'handle' ? { handle_deadline: deadline } : {}) };
}

const cancelTimers = (w: Pending, caseId: string, s: StageRow) => {
  for (const what of ['yellow', 'red', 'escalate'] as const) w.cancels.push(timerKey(caseId, s.stage, what));
};

/** Moves the open stage's clock to new thresholds, and its timer (resume, extension). */
function rescheduleStage(
  engine: DecideEngine,
  row: CaseRow,
  open: StageRow,
  s: StageRow,
  clock: StageClock,
  now: Date,
  w: Pending,
): StagePatch {
  const cal = engine.calendar;
  const th = thresholds(clock, cal);
  const light = lightOf(clock, now, cal);
  w.stageUpdates.push({
    before: open,
    row: {
      ...s,
      running_since: clock.runningSince,
      consumed_minutes: clock.consumedMinutes,
      yellow_at: th?.yellowAt ?? null,
      deadline: th?.deadline ?? null,
      light,
      // A new deadline earns a new supervision and escalation if it is missed again.
      ...(light !== 'red' ? { supervised_at: null, escalated_at: null } : {}),
    },
  });
  if (th) w.jobs.push(nextThresholdJob(s, th, now));
  return patchFor(row, s.stage, th?.deadline ?? null, light);
}

/** Adds approved extension minutes to the open stage and moves its timers. */
function extendStage(
  engine: DecideEngine,
  row: CaseRow,
  stages: readonly StageRow[],
  minutes: number,
  now: Date,
  w: Pending,
): StagePatch {
  const open = openStage(stages);
  if (!open) return {};
  cancelTimers(w, row.id, open);
  const extended = { ...open, extension_minutes: open.extension_minutes + minutes };
  return rescheduleStage(engine, row, open, extended, extendClock(clockOf(open), minutes), now, w);
}

/**
 * What a state change does to the stage clock (docs/design.md#sla-clock: extensions extend,
 * suspensions pause): pause, resume, or end the open stage and start the next.
 */
export function moveClock(
  engine: DecideEngine,
  row: CaseRow,
  stages: readonly StageRow[],
  to: CaseState,
  now: Date,
  w: Pending,
): StagePatch {
  const from = row.state;
  if (to === from) return {};
  const cal = engine.calendar;
  const open = openStage(stages);
  if (PAUSED.includes(to)) {
    if (!open?.running_since) return {};
    const paused = pauseClock(clockOf(open), now, cal);
    w.stageUpdates.push({
      before: open,
      row: {
        ...open,
        consumed_minutes: paused.consumedMinutes,
        running_since: null,
        yellow_at: null,
        deadline: null,
      },
    });
    cancelTimers(w, row.id, open);
    return {};
  }
  if (PAUSED.includes(from) && to === row.resume_state) {
    if (!open || open.running_since) return {};
    return rescheduleStage(engine, row, open, open, resumeClock(clockOf(open), now), now, w);
  }
  // Asking for an extension does not stop the handling clock; the decision extends it.
  if (to === 'extension_pending' || (from === 'extension_pending' && to === row.resume_state)) return {};
  if (open) {
    const clock = clockOf(open);
    w.stageUpdates.push({
      before: open,
      row: {
        ...open,
        ended_at: now,
        consumed_minutes: pauseClock(clock, now, cal).consumedMinutes,
        running_since: null,
        light: lightOf(clock, now, cal),
      },
    });
    cancelTimers(w, row.id, open);
  }
  const stage = STAGE_OF_STATE[to];
  if (!stage) return { stage: null, light: null };
  const limits =
    engine.modules.stageLimits(row.category, row.urgency) ?? engine.settings.defaultLimits[row.urgency];
  const minutes = limits.minutes[stage] ?? engine.settings.defaultLimits[row.urgency].minutes[stage];
  if (!minutes) return { stage, light: null };
  const round = Math.max(0, ...stages.filter((s) => s.stage === stage).map((s) => s.round)) + 1;
  const th = thresholds(
    { basis: limits.basis, totalMinutes: minutes, consumedMinutes: 0, runningSince: now },
    cal,
  )!;
  w.newStages.push({
    case_id: row.id,
    stage,
    round,
    basis: limits.basis,
    limit_minutes: minutes,
    extension_minutes: 0,
    consumed_minutes: 0,
    running_since: now,
    started_at: now,
    yellow_at: th.yellowAt,
    deadline: th.deadline,
    light: 'green',
    supervised_at: null,
    escalated_at: null,
    ended_at: null,
  });
  return patchFor(row, stage, th.deadline, 'green');
}
