/**
 * `applyAction`: the one function that moves a case. In one transaction it locks the case,
 * checks jurisdiction, track (role), version, state and the guards of the transition table,
 * writes the new state, appends history and audit, moves the SLA clock and its timers; after
 * commit it publishes the event. Nothing else writes a case's state.
 */
import { sql } from 'kysely';
import { authorize, type Principal } from '../identity/index.ts';
import {
  ConflictError,
  type Db,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  type PlatformEvent,
  UnauthenticatedError,
} from '../kernel/index.ts';
import type { CaseEngine } from './case-engine.ts';
import {
  type CaseState,
  type CaseView,
  ESCALATION_LEVELS,
  OPEN_STATES,
  SATISFACTION,
  type Satisfaction,
  STAGE_OF_STATE,
} from './case-model.ts';
import {
  appendHistory,
  type CaseRow,
  canSeeCase,
  findCaseRow,
  loadCaseDetail,
  loadVisibleCase,
} from './case-store.ts';
import { recordCaseEvent, recordTimings } from './case-outbox.ts';
import { scheduleReportInDeadline } from './linkage.ts';
import { type NotificationInput, notify } from './notifications.ts';
import { transitionBatcher } from './transition-batch.ts';
import { transitionRecords } from './transition-records.ts';
import {
  endStage,
  escalateCase,
  extendStage,
  pauseStage,
  resumeStage,
  type StagePatch,
  startStage,
} from './sla-timers.ts';
import {
  type CaseAction,
  type GuardName,
  isCaseAction,
  type Transition,
  transitionOf,
} from './transitions.ts';

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

/** What a transition's checks and effect see. */
export interface Ctx {
  engine: CaseEngine;
  trx: Db;
  row: CaseRow;
  principal: Principal;
  params: ActionParams;
  now: Date;
  /** Filled by guards that load something the effect needs. */
  target?: CaseRow;
  summoned?: string[];
  /** When set (group-committed batches), notifications are collected here instead of inserted. */
  notes?: NotificationInput[];
}

/** Sends a notification now, or collects it for the batch's one insert. */
async function note(ctx: Ctx, n: NotificationInput): Promise<void> {
  if (ctx.notes) ctx.notes.push(n);
  else await notify(ctx.trx, n);
}

export const PAUSED: readonly CaseState[] = ['deferred', 'parked'];

const blank = (s: unknown) => typeof s !== 'string' || s.trim() === '';

/** Applies an action to a case for a principal; returns the case after commit. */
export async function applyAction(
  engine: CaseEngine,
  principal: Principal,
  idOrNumber: string,
  action: string,
  params: ActionParams,
): Promise<CaseView> {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError();
  if (!isCaseAction(action))
    throw new NotFoundError(`There is no case action "${action}".`, 'case.unknown_action', { action });
  // Before the case is read: who may take the action does not depend on which case it is.
  assertMayTake(transitionOf(action), principal);
  // A merge locks a second case, its target. In a batch it would wait for it while holding
  // the commit-order lock (taken by the batch's earlier writes), which a timer holding the
  // target waits for: a deadlock. Alone, it locks both cases first (rare: no batching needed).
  if (action === 'merge') return applyActionAlone(engine, principal, idOrNumber, action, params);
  return transitionBatcher(engine).submit({ principal, idOrNumber, action, params });
}

/** One action in its own transaction: what a command runs when its batch failed as a whole. */
export async function applyActionAlone(
  engine: CaseEngine,
  principal: Principal,
  idOrNumber: string,
  action: CaseAction,
  params: ActionParams,
): Promise<CaseView> {
  const events: PlatformEvent[] = [];
  const row = await engine.db.transaction().execute(async (trx) => {
    // A merge's two cases are locked together in id order, so that two merges of the same
    // pair, either way round, cannot each hold one and wait for the other.
    if (action === 'merge' && typeof params.into === 'string')
      await sql`select id from case_record
        where id in (${idOrNumber}, ${params.into}) or number in (${idOrNumber}, ${params.into})
        order by id for update`.execute(trx);
    const current = await loadVisibleCase(trx, principal, idOrNumber, 'jurisdiction', true);
    return performTransition(engine, trx, current, principal, action, params, events);
  });
  for (const e of events) await engine.bus.publish(e);
  return loadCaseDetail(engine.db, principal, row);
}

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
 * The case is visible: it was loaded with reach `jurisdiction`, which the action's permission
 * grants.
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

/** Checks and applies one transition inside the caller's transaction (used for auto-dispatch too). */
export async function performTransition(
  engine: CaseEngine,
  trx: Db,
  row: CaseRow,
  principal: Principal,
  action: CaseAction,
  params: ActionParams,
  events: PlatformEvent[],
): Promise<CaseRow> {
  const t = transitionOf(action);
  precheck(t, action, row, principal, params);
  const now = engine.clock.now();
  const ctx: Ctx = { engine, trx, row, principal, params, now };
  for (const g of t.guards) await checkGuard(g, ctx);

  const to = targetState(t, row, params);
  const patch: Record<string, unknown> = await effect(action, ctx, to);
  Object.assign(patch, await moveClock(engine, trx, row, to, now));
  if (patch.deadlines) patch.deadlines = JSON.stringify(patch.deadlines);
  for (const k of ['media', 'assist_departments'] as const) if (patch[k]) patch[k] = JSON.stringify(patch[k]);

  const updated = await trx
    .updateTable('case_record')
    .set({ ...patch, state: to, version: row.version + 1, updated_at: now })
    .where('id', '=', row.id)
    .where('version', '=', row.version)
    .returningAll()
    .executeTakeFirst();
  if (!updated)
    throw new ConflictError(`Case ${row.number} has changed. Reload and retry.`, 'case.version_conflict');

  const recorded = recordedParams(params);
  await appendHistory(trx, {
    caseId: row.id,
    action,
    from: row.state,
    to,
    actor: principal.id,
    roles: principal.roles,
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
    leadDepartment: (updated as CaseRow).lead_department,
    now,
  });
  await engine.deps.appendAudit(trx, audit);
  events.push(event);
  await recordCaseEvent(engine, trx, event, row.lead_department);
  await recordTimings(engine, trx, row, action, to, now, (updated as CaseRow).lead_department);

  let result = (await findCaseRow(trx, row.id))!;
  if (action === 'file' && engine.modules.category(row.category)?.autoDispatch) {
    const match = await engine.deps.resolveResponsibility(
      trx,
      row.category,
      row.grid_code ?? row.district_code ?? '',
    );
    // Only a real match dispatches by itself; a fallback to the district government waits for a dispatcher.
    if (match && (!match.source || match.source === 'rule' || match.source === 'category_default'))
      result = await performTransition(
        engine,
        trx,
        result,
        AUTO_DISPATCHER,
        'dispatch',
        { version: result.version },
        events,
      );
  }
  return result;
}

/** The principal of automatic dispatch right after filing (category.autoDispatch). */
export const AUTO_DISPATCHER: Principal = Object.freeze({
  kind: 'service',
  id: 'system:auto-dispatch',
  username: 'auto-dispatch',
  roles: ['dispatcher'],
  departmentCodes: [],
  divisionCodes: [],
}) as Principal;

export function targetState(t: Transition, row: CaseRow, params: ActionParams): CaseState {
  if (t.to === 'same') return row.state;
  if (t.to === 'resume') return row.resume_state ?? 'filed';
  if (typeof t.to === 'string') return t.to;
  return t.to.values[String(params[t.to.param])];
}

/** What a state change does to the stage clock (docs/design.md#sla-clock: extensions extend, suspensions pause). */
async function moveClock(
  engine: CaseEngine,
  trx: Db,
  row: CaseRow,
  to: CaseState,
  now: Date,
): Promise<StagePatch> {
  const from = row.state;
  if (to === from) return {};
  if (PAUSED.includes(to)) return pauseStage(engine, trx, row, now);
  if (PAUSED.includes(from) && to === row.resume_state) return resumeStage(engine, trx, row, now);
  // Asking for an extension does not stop the handling clock; the decision extends it.
  if (to === 'extension_pending' || (from === 'extension_pending' && to === row.resume_state)) return {};
  const ended = await endStage(engine, trx, row, now);
  const next = STAGE_OF_STATE[to];
  if (!next) return ended;
  return startStage(engine, trx, { ...row, deadlines: row.deadlines }, next, now);
}

export function recordedParams(params: ActionParams): Record<string, unknown> {
  const { version: _v, ...rest } = params;
  return rest;
}

export async function checkGuard(g: GuardName, ctx: Ctx): Promise<void> {
  const { params: p, principal, row, trx } = ctx;
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
      if (typeof p.minutes !== 'number' || !(p.minutes > 0))
        throw new InvalidInputError('Ask for a positive number of minutes.', { field: 'minutes' });
      return;
    case 'decision':
      if (typeof p.approve !== 'boolean')
        throw new InvalidInputError('Say whether the extension is approved.', { field: 'approve' });
      if (p.minutes !== undefined && !(typeof p.minutes === 'number' && p.minutes > 0))
        throw new InvalidInputError('Approve a positive number of minutes.', { field: 'minutes' });
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
    case 'reporter_or_supervision': {
      if (principal.roles.includes('supervision_operator')) return;
      if (row.reported_by === principal.id) return;
      const mine = await trx
        .selectFrom('case_reporter')
        .select('id')
        .where('case_id', '=', row.id)
        .where('user_id', '=', principal.id)
        .executeTakeFirst();
      if (!mine) throw new ForbiddenError('Only the reporter may evaluate this case.', 'case.not_reporter');
      return;
    }
    case 'not_top_level':
      if (row.escalation_level >= ESCALATION_LEVELS.length - 1)
        throw new ConflictError('The case is already at the city command center.', 'case.already_top_level');
      return;
    case 'merge_target': {
      const target = typeof p.into === 'string' ? await findCaseRow(trx, p.into, true) : undefined;
      if (
        !target ||
        target.id === row.id ||
        !OPEN_STATES.includes(target.state) ||
        !(await canSeeCase(trx, principal, target, 'jurisdiction'))
      )
        throw new InvalidInputError(
          '`into` must name another open case.',
          { field: 'into' },
          'case.invalid_merge_target',
        );
      ctx.target = target;
      return;
    }
    case 'departments':
      if (!Array.isArray(p.departments) || p.departments.length === 0 || p.departments.some(blank))
        throw new InvalidInputError('Summon at least one department.', { field: 'departments' });
      return;
    case 'summoned_department': {
      const pending = await trx
        .selectFrom('case_linkage')
        .select('department')
        .where('case_id', '=', row.id)
        .where('reported_in_at', 'is', null)
        .where('department', 'in', principal.departmentCodes.length ? principal.departmentCodes : [''])
        .execute();
      if (pending.length === 0)
        throw new ForbiddenError('Your department has no pending summons on this case.', 'case.not_summoned');
      ctx.summoned = [...new Set(pending.map((r) => r.department as string))];
      return;
    }
    case 'rated_department': {
      if (!Number.isInteger(p.rating) || (p.rating as number) < 1 || (p.rating as number) > 5)
        throw new InvalidInputError('A rating is an integer from 1 to 5.', { field: 'rating' });
      const summoned = await trx
        .selectFrom('case_linkage')
        .select('whistle_id')
        .where('case_id', '=', row.id)
        .where('department', '=', String(p.department ?? ''))
        .executeTakeFirst();
      if (!summoned)
        throw new InvalidInputError('That department was not summoned to this case.', {
          field: 'department',
        });
      return;
    }
  }
}

/** Action-specific writes; returns the columns to set on the case. */
export async function effect(action: CaseAction, ctx: Ctx, to: CaseState): Promise<Record<string, unknown>> {
  const { engine, trx, row, principal, params: p, now } = ctx;
  switch (action) {
    case 'file':
      return { filed_at: now };
    case 'reject':
      return {};
    case 'accept':
      return { accepted_at: now };
    case 'dispatch': {
      let lead: string;
      let assist: readonly string[];
      let rule: { ruleId: string | null; listVersion: string | number | null; override: boolean };
      if (p.lead !== undefined) {
        lead = p.lead;
        assist = (p.assist ?? []).filter((d) => d !== lead);
        rule = { ruleId: null, listVersion: null, override: true };
      } else {
        const division = row.grid_code ?? row.district_code ?? '';
        const match = await engine.deps.resolveResponsibility(trx, row.category, division);
        if (!match)
          throw new ConflictError(
            `The responsibility list names no department for ${row.category} at ${division}.`,
            'case.no_responsible_department',
          );
        lead = match.lead;
        assist = match.assist;
        rule = { ruleId: match.ruleId, listVersion: match.listVersion, override: false };
      }
      await note(ctx, {
        caseId: row.id,
        kind: 'dispatched',
        department: lead,
        role: 'department_handler',
        message: `Case ${row.number} was dispatched to your department as lead.`,
        at: now,
      });
      return {
        lead_department: lead,
        assist_departments: [...assist],
        responsibility_rule_id: rule.ruleId,
        responsibility_list_version: rule.listVersion === null ? null : String(rule.listVersion),
        dispatch_override: rule.override,
        dispatched_at: now,
      };
    }
    case 'return':
      // The returning department gives the case up; the next dispatch chooses again.
      return { lead_department: null, assist_departments: [], dispatched_at: null };
    case 'request-extension':
      return { resume_state: row.state, extension_status: 'pending', extension_requested_minutes: p.minutes };
    case 'decide-extension': {
      if (!p.approve) return { resume_state: null, extension_status: 'refused' };
      const minutes = p.minutes ?? row.extension_requested_minutes ?? 0;
      const patch = await extendStage(engine, trx, row, minutes, now);
      return {
        ...patch,
        resume_state: null,
        extension_status: 'approved',
        extension_minutes: row.extension_minutes + minutes,
      };
    }
    case 'defer':
      return { resume_state: row.state, was_deferred: true };
    case 'park':
      return { resume_state: row.state };
    case 'unpark':
      return { resume_state: null };
    case 'handle':
      return { handled_by: principal.id, handled_at: now, media: [...row.media, ...(p.evidence ?? [])] };
    case 'verify':
    case 'close':
      return to === 'closed' ? { closed_at: now } : {};
    case 'evaluate':
      return { satisfaction: p.satisfaction, evaluated_at: now };
    case 'supervise':
      await notify(trx, {
        caseId: row.id,
        kind: 'supervision_notice',
        ...(row.lead_department
          ? { department: row.lead_department, role: 'department_leader' }
          : { role: 'dispatcher', division: row.district_code }),
        message: `督办 Supervision notice on case ${row.number}: ${p.note}`,
        data: { note: p.note, by: principal.id },
        at: now,
      });
      return {};
    case 'escalate':
      await escalateCase(engine, trx, row, principal.id, principal.roles, { reason: p.reason }, now, {
        history: false,
      });
      return {};
    case 'merge': {
      const target = ctx.target!;
      const reporters = await trx
        .selectFrom('case_reporter')
        .selectAll()
        .where('case_id', '=', row.id)
        .execute();
      if (reporters.length)
        await trx
          .insertInto('case_reporter')
          .values(
            reporters.map((r) => ({
              case_id: target.id,
              source_case_id: r.source_case_id,
              user_id: r.user_id,
              name: r.name,
              phone: r.phone,
              email: r.email,
              address: r.address,
              consent: r.consent,
              created_at: now,
            })),
          )
          .execute();
      for (const r of reporters)
        if (r.user_id)
          await notify(trx, {
            caseId: row.id,
            kind: 'merged',
            user: r.user_id,
            message: `Your report ${row.number} was merged into case ${target.number}; you will be kept informed.`,
            data: { into: target.id, intoNumber: target.number },
            at: now,
          });
      return { merged_into_id: target.id, duplicate_of_id: target.id };
    }
    case 'whistle': {
      const minutes = p.deadlineMinutes ?? engine.settings.reportInMinutes;
      if (!(minutes > 0))
        throw new InvalidInputError('The report-in deadline must be positive.', { field: 'deadlineMinutes' });
      const deadline = new Date(now.getTime() + minutes * 60_000);
      const departments = [...new Set(p.departments!)];
      const whistle = await trx
        .insertInto('case_whistle')
        .values({
          case_id: row.id,
          whistled_by: principal.id,
          note: p.note ?? null,
          deadline,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('case_linkage')
        .values(
          departments.map((d) => ({ whistle_id: whistle.id, case_id: row.id, department: d, deadline })),
        )
        .execute();
      for (const d of departments)
        await notify(trx, {
          caseId: row.id,
          kind: 'linkage_summons',
          department: d,
          message: `吹哨 Your department is summoned to case ${row.number}; report in by ${deadline.toISOString()}.`,
          data: { whistleId: Number(whistle.id), deadline: deadline.toISOString() },
          at: now,
        });
      await scheduleReportInDeadline(engine, trx, Number(whistle.id), row.id, deadline);
      p.whistleId = Number(whistle.id);
      return {};
    }
    case 'report-in':
      await trx
        .updateTable('case_linkage')
        .set({ reported_in_at: now, reported_in_by: principal.id })
        .where('case_id', '=', row.id)
        .where('reported_in_at', 'is', null)
        .where('department', 'in', ctx.summoned!)
        .execute();
      p.departments = ctx.summoned;
      return {};
    case 'rate-linkage': {
      const latest = await trx
        .selectFrom('case_linkage')
        .select((eb) => eb.fn.max('whistle_id').as('w'))
        .where('case_id', '=', row.id)
        .where('department', '=', p.department!)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('case_linkage')
        .set({ rating: p.rating, rating_comment: p.comment ?? null, rated_by: principal.id, rated_at: now })
        .where('whistle_id', '=', latest.w)
        .where('department', '=', p.department!)
        .execute();
      return {};
    }
  }
}
