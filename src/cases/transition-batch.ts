/**
 * Group-committed transitions (see case-batcher.ts). One transaction per batch locks every
 * case of the batch in one `SELECT … FOR UPDATE` (ordered by id, so two nodes' batches
 * never deadlock) and reads their stages once. Commands then run in arrival order: the
 * common actions (file, reject, dispatch, accept, return, request an extension, defer, park,
 * unpark, handle, verify, close, evaluate) are checked and applied in memory against the
 * transition table, and their writes are collected; the others (and any command on a case
 * the batch already changed) first write what was collected, then run the ordinary
 * `performTransition` under a savepoint. The collected writes go out set-based: one
 * UPDATE … FROM for the cases, one for the stages, one job cancel, one insert each for new
 * stages, timer jobs, notifications, history, audit records (chained in order under one
 * lock), outbox events and milestones. A stale version still answers 409: the second of two
 * commands on one case sees the first one's version.
 */
import { sql } from 'kysely';
import type { AuditEntry } from '../audit/index.ts';
import type { Principal } from '../identity/index.ts';
import {
  type Db,
  NotFoundError,
  type PlatformEvent,
  type ScheduleRequest,
  type Stage,
  wholeRowJson,
} from '../kernel/index.ts';
import {
  type ActionParams,
  applyActionAlone,
  type Ctx,
  checkGuard,
  effect,
  PAUSED,
  performTransition,
  precheck,
  recordedParams,
  targetState,
} from './case-actions.ts';
import { GroupCommit, type Outcome } from '../kernel/index.ts';
import { transitionRecords } from './transition-records.ts';
import type { CaseEngine } from './case-engine.ts';
import { type CaseState, type CaseView, STAGE_OF_STATE } from './case-model.ts';
import { recordCaseEvents, timingsOf } from './case-outbox.ts';
import {
  type CaseRow,
  canSeeCase,
  casesFromJson,
  insertRowsTogether,
  loadCaseDetails,
  type StageRow,
  stagesFromJson,
} from './case-store.ts';
import { type NotificationInput, notificationRow } from './notifications.ts';
import { lightOf, pauseClock, resumeClock, type StageClock, thresholds } from './sla-clock.ts';
import { nextThresholdJob, type StagePatch, timerKey } from './sla-timers.ts';
import { type CaseAction, transitionOf } from './transitions.ts';

/** One action request waiting for its batch. */
export interface TransitionCommand {
  principal: Principal;
  idOrNumber: string;
  action: CaseAction;
  params: ActionParams;
}

/** Most actions committed in one transaction. */
export const TRANSITION_BATCH = 256;

const batchers = new WeakMap<CaseEngine, GroupCommit<TransitionCommand, CaseView>>();

/** The engine's transition group-commit loop (created on first use). */
export function transitionBatcher(engine: CaseEngine): GroupCommit<TransitionCommand, CaseView> {
  let b = batchers.get(engine);
  if (!b) {
    b = new GroupCommit<TransitionCommand, CaseView>({
      maxBatch: TRANSITION_BATCH,
      runBatch: (commands) => transitionBatch(engine, commands),
      runOne: (c) => applyActionAlone(engine, c.principal, c.idOrNumber, c.action, c.params),
    });
    batchers.set(engine, b);
  }
  return b;
}

/** Actions whose checks and writes need nothing but the case row and its stages. */
const IN_MEMORY: ReadonlySet<CaseAction> = new Set<CaseAction>([
  'file',
  'reject',
  'dispatch',
  'accept',
  'return',
  'request-extension',
  'defer',
  'park',
  'unpark',
  'handle',
  'verify',
  'close',
  'evaluate',
]);

const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const clockOf = (s: StageRow): StageClock => ({
  basis: s.basis,
  totalMinutes: s.limit_minutes + s.extension_minutes,
  consumedMinutes: s.consumed_minutes,
  runningSince: s.running_since,
});

/** The writes collected from in-memory commands, flushed set-based. */
interface Pending {
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
}

const emptyPending = (): Pending => ({
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
});

async function transitionBatch(
  engine: CaseEngine,
  commands: TransitionCommand[],
): Promise<Array<Outcome<CaseView>>> {
  const events: PlatformEvent[] = [];
  const results: Array<Outcome<CaseRow>> = [];
  const rows = new Map<string, CaseRow>();
  const stagesAtEnd = new Map<string, StageRow[]>();
  await engine.db.transaction().execute(async (trx) => {
    const ids = commands.map((c) => c.idOrNumber).filter((k) => UUIDISH.test(k));
    const numbers = commands.map((c) => c.idOrNumber).filter((k) => !UUIDISH.test(k));
    const locked = casesFromJson(
      await trx
        .selectFrom('case_record')
        .select(wholeRowJson('case_record'))
        .where((eb) =>
          eb.or([
            ...(ids.length ? [eb('id', 'in', ids)] : []),
            ...(numbers.length ? [eb('number', 'in', numbers)] : []),
          ]),
        )
        .orderBy('id')
        .forUpdate()
        .execute(),
    );
    for (const r of locked) rows.set(r.id, r);
    const idOf = new Map<string, string>(
      locked.flatMap((r) => [[r.id, r.id] as const, [r.number, r.id] as const]),
    );
    const stages = stagesAtEnd;
    const loadStages = async (caseIds: string[]) => {
      if (caseIds.length === 0) return;
      const found = stagesFromJson(
        await trx
          .selectFrom('case_stage')
          .select(wholeRowJson('case_stage'))
          .where('case_id', 'in', caseIds)
          .orderBy('id')
          .execute(),
      );
      for (const id of caseIds) stages.set(id, []);
      for (const s of found) stages.get(s.case_id)!.push(s);
    };
    await loadStages(locked.map((r) => r.id));

    // The list version is read once per batch (when a dispatch needs it); the answers at
    // that version come from the in-process cache of the engine (the rules of a version never
    // change), so a batch of dispatches reads the list at most once per new version.
    let listVersion: Promise<number> | null = null;
    const batchEngine: CaseEngine = {
      ...engine,
      deps: {
        ...engine.deps,
        resolveResponsibility: async (db, category, division) => {
          listVersion ??= engine.deps.currentListVersion(trx);
          return engine.deps.resolveResponsibility(db, category, division, {
            listVersion: await listVersion,
            cacheScope: engine,
          });
        },
      },
    };
    let pending = emptyPending();
    const touched = new Set<string>();
    const flush = async (last = false) => {
      if (touched.size === 0) return;
      const p = pending;
      pending = emptyPending();
      const created = await writePending(engine, trx, p);
      const stale = [...touched];
      touched.clear();
      if (!last) {
        // Stages written by the flush get their ids from the database on next use.
        await loadStages(stale);
        return;
      }
      // The batch's last flush: its stages are known from the rows written (the answers'
      // current stages, without reading them again).
      for (const { row: u } of p.stageUpdates) {
        const list = stages.get(u.case_id) ?? [];
        stages.set(
          u.case_id,
          list.map((s) => (String(s.id) === String(u.id) ? u : s)),
        );
      }
      for (const s of created) stages.set(s.case_id, [...(stages.get(s.case_id) ?? []), s]);
    };

    for (const command of commands) {
      try {
        const id = idOf.get(command.idOrNumber);
        const row = id ? rows.get(id) : undefined;
        if (!row || !(await canSeeCase(trx, command.principal, row, 'jurisdiction')))
          throw new NotFoundError(`Case ${command.idOrNumber} not found.`, 'case.not_found');
        const t = transitionOf(command.action);
        const auto = command.action === 'file' && engine.modules.category(row.category)?.autoDispatch;
        if (IN_MEMORY.has(command.action) && !auto) {
          precheck(t, command.action, row, command.principal, command.params);
          // A second change of one case in this batch starts from the written first one.
          if (touched.has(row.id)) await flush();
          const next = await applyInMemory(
            batchEngine,
            trx,
            row,
            stages.get(row.id) ?? [],
            command,
            pending,
            events,
          );
          rows.set(row.id, next);
          touched.add(row.id);
          results.push({ ok: true, value: next });
        } else {
          await flush();
          await sql`savepoint case_action`.execute(trx);
          try {
            const own: PlatformEvent[] = [];
            const next = await performTransition(
              engine,
              trx,
              row,
              command.principal,
              command.action,
              command.params,
              own,
            );
            await sql`release savepoint case_action`.execute(trx);
            events.push(...own);
            rows.set(row.id, next);
            await loadStages([row.id]);
            results.push({ ok: true, value: next });
          } catch (error) {
            await sql`rollback to savepoint case_action`.execute(trx);
            throw error;
          }
        }
      } catch (error) {
        results.push({ ok: false, error });
      }
    }
    await flush(true);
  });
  function openStageOf(caseId: string): StageRow | null {
    const list = stagesAtEnd.get(caseId) ?? [];
    for (let k = list.length - 1; k >= 0; k--) if (!list[k].ended_at) return list[k];
    return null;
  }
  // Committed: from here on nothing may send the batch to the one-by-one path, which would
  // apply its actions a second time. A failure answers each caller with its error instead.
  try {
    for (const e of events) await engine.bus.publish(e);
  } catch {
    // The events are in case_event: streams replay them on reconnection.
  }
  const done = results
    .map((r, i) => ({ r, i }))
    .filter((x): x is { r: { ok: true; value: CaseRow }; i: number } => x.r.ok);
  let views: CaseView[];
  try {
    views = await loadCaseDetails(
      engine.db,
      done.map(({ r, i }) => ({
        principal: commands[i].principal,
        row: r.value,
        // A case changed again by a later command of the batch answers with its stage then
        // read from the database (only the last change's stages are at hand).
        stage: r.value.version === rows.get(r.value.id)?.version ? openStageOf(r.value.id) : undefined,
      })),
    );
  } catch (error) {
    return results.map((r) => (r.ok ? { ok: false, error } : r));
  }
  const viewOf = new Map(done.map(({ i }, k) => [i, views[k]]));
  return results.map((r, i) => (r.ok ? { ok: true, value: viewOf.get(i)! } : r));
}

/**
 * Checks the guards and computes one transition without writing: the new row is returned
 * and every write it owes is added to `pending` (performTransition's effects, set-based).
 */
async function applyInMemory(
  engine: CaseEngine,
  trx: Db,
  row: CaseRow,
  stageRows: StageRow[],
  command: TransitionCommand,
  pending: Pending,
  events: PlatformEvent[],
): Promise<CaseRow> {
  const { principal, action, params } = command;
  const t = transitionOf(action);
  const now = engine.clock.now();
  const notes: NotificationInput[] = [];
  const ctx: Ctx = { engine, trx, row, principal, params, now, notes };
  for (const g of t.guards) await checkGuard(g, ctx);
  const to = targetState(t, row, params);
  const patch: Record<string, unknown> = await effect(action, ctx, to);
  Object.assign(patch, moveClockInMemory(engine, row, stageRows, to, now, pending));
  const next = { ...row, ...patch, state: to, version: row.version + 1, updated_at: now } as CaseRow;
  pending.cases.push({ before: row, row: next });
  pending.notes.push(...notes);

  const recorded = recordedParams(params);
  pending.history.push({
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
  pending.audit.push(audit);
  events.push(event);
  pending.events.push({ event, row });
  pending.timings.push(...timingsOf(engine, row, action, to, now, next.lead_department));
  return next;
}

function patchFor(row: CaseRow, stage: Stage, deadline: Date | null, light: StagePatch['light']): StagePatch {
  const deadlines = { ...row.deadlines };
  if (deadline) deadlines[stage] = deadline.toISOString();
  return { stage, light, deadlines, ...(stage === 'handle' ? { handle_deadline: deadline } : {}) };
}

/** sla-timers' moveClock (pause, resume, end and start a stage), collected instead of written. */
function moveClockInMemory(
  engine: CaseEngine,
  row: CaseRow,
  stageRows: StageRow[],
  to: CaseState,
  now: Date,
  pending: Pending,
): StagePatch {
  const from = row.state;
  if (to === from) return {};
  const cal = engine.calendar;
  const open = [...stageRows].reverse().find((s) => !s.ended_at) ?? null;
  const cancel = (s: StageRow) => {
    for (const what of ['yellow', 'red', 'escalate'] as const)
      pending.cancels.push(timerKey(row.id, s.stage, what));
  };
  if (PAUSED.includes(to)) {
    if (!open?.running_since) return {};
    const paused = pauseClock(clockOf(open), now, cal);
    pending.stageUpdates.push({
      before: open,
      row: {
        ...open,
        consumed_minutes: paused.consumedMinutes,
        running_since: null,
        yellow_at: null,
        deadline: null,
      },
    });
    cancel(open);
    return {};
  }
  if (PAUSED.includes(from) && to === row.resume_state) {
    if (!open || open.running_since) return {};
    const clock = resumeClock(clockOf(open), now);
    const th = thresholds(clock, cal);
    const light = lightOf(clock, now, cal);
    pending.stageUpdates.push({
      before: open,
      row: {
        ...open,
        running_since: clock.runningSince,
        consumed_minutes: clock.consumedMinutes,
        yellow_at: th?.yellowAt ?? null,
        deadline: th?.deadline ?? null,
        light,
        ...(light !== 'red' ? { supervised_at: null, escalated_at: null } : {}),
      },
    });
    if (th) pending.jobs.push(nextThresholdJob(open, th, now));
    return patchFor(row, open.stage, th?.deadline ?? null, light);
  }
  if (to === 'extension_pending' || (from === 'extension_pending' && to === row.resume_state)) return {};
  if (open) {
    const clock = clockOf(open);
    pending.stageUpdates.push({
      before: open,
      row: {
        ...open,
        ended_at: now,
        consumed_minutes: pauseClock(clock, now, cal).consumedMinutes,
        running_since: null,
        light: lightOf(clock, now, cal),
      },
    });
    cancel(open);
  }
  const stage = STAGE_OF_STATE[to];
  if (!stage) return { stage: null, light: null };
  const limits =
    engine.modules.stageLimits(row.category, row.urgency) ?? engine.settings.defaultLimits[row.urgency];
  const minutes = limits.minutes[stage] ?? engine.settings.defaultLimits[row.urgency].minutes[stage];
  if (!minutes) return { stage, light: null };
  const round = Math.max(0, ...stageRows.filter((s) => s.stage === stage).map((s) => s.round)) + 1;
  const th = thresholds(
    { basis: limits.basis, totalMinutes: minutes, consumedMinutes: 0, runningSince: now },
    cal,
  )!;
  pending.newStages.push({
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

/** What a transition may change on a case, with the column types `jsonb_to_recordset` reads. */
const CASE_CHANGES = [
  ['state', 'text'],
  ['resume_state', 'text'],
  ['version', 'integer'],
  ['lead_department', 'text'],
  ['assist_departments', 'jsonb'],
  ['responsibility_rule_id', 'text'],
  ['responsibility_list_version', 'text'],
  ['dispatch_override', 'boolean'],
  ['stage', 'text'],
  ['light', 'text'],
  ['deadlines', 'jsonb'],
  ['handle_deadline', 'timestamptz'],
  ['extension_status', 'text'],
  ['extension_minutes', 'integer'],
  ['extension_requested_minutes', 'integer'],
  ['was_deferred', 'boolean'],
  ['satisfaction', 'text'],
  ['handled_by', 'text'],
  ['media', 'jsonb'],
  ['filed_at', 'timestamptz'],
  ['dispatched_at', 'timestamptz'],
  ['accepted_at', 'timestamptz'],
  ['handled_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['evaluated_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
] as const satisfies ReadonlyArray<readonly [keyof CaseRow, string]>;

/** What moving the clock may change on a stage. */
const STAGE_CHANGES = [
  ['ended_at', 'timestamptz'],
  ['consumed_minutes', 'double precision'],
  ['running_since', 'timestamptz'],
  ['extension_minutes', 'double precision'],
  ['yellow_at', 'timestamptz'],
  ['deadline', 'timestamptz'],
  ['light', 'text'],
  ['supervised_at', 'timestamptz'],
  ['escalated_at', 'timestamptz'],
] as const satisfies ReadonlyArray<readonly [keyof StageRow, string]>;

type Changes = ReadonlyArray<readonly [string, string]>;

/**
 * The columns of `changes` that some row changed (and `always`): a flush of one kind of
 * action changes a handful of a case's 26, so the statement carries, and the database
 * parses and assigns, only those (measured: docs/benchmarks-log.md, 2026-11-29 10:19).
 */
function changedColumns<R extends object>(
  pairs: ReadonlyArray<{ before: R; row: R }>,
  changes: ReadonlyArray<readonly [keyof R & string, string]>,
  always?: keyof R & string,
): Changes {
  return changes.filter(
    ([column]) => column === always || pairs.some((p) => !sameValue(p.before[column], p.row[column])),
  );
}

/** Whether a column kept its value: scalars by identity, times by instant, JSON by its text. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `col = v.col, …` for the changed columns. */
const setFrom = (changes: Changes) => sql.raw(changes.map(([c]) => `${c} = v.${c}`).join(', '));

/**
 * The rows as `v`, with their id and the changed columns only: the JSON carries, and the
 * database parses, only those (a whole case row is 46 columns; whole rows through
 * jsonb_populate_recordset against this on PGlite: docs/benchmarks-log.md, 2026-11-28 23:24).
 *
 * The statements joining `v` also name the ids as an array: the planner takes any
 * set-returning function for 100 rows, and on PostgreSQL (random_page_cost 4) a hash join
 * over a whole-table scan then looked cheaper than 100 index lookups while a table held a
 * few thousand rows (a cost growing with the table: docs/benchmarks-log.md, 2026-11-29 04:58);
 * `id = any(array)` is estimated from the array and keeps the lookups on the primary key.
 */
function changedRows(rows: ReadonlyArray<Record<string, any>>, changes: Changes, idType: string) {
  const slim = rows.map((row) => {
    const out: Record<string, unknown> = { id: row.id };
    for (const [c] of changes) out[c] = row[c];
    return out;
  });
  const columns = [`id ${idType}`, ...changes.map(([c, type]) => `${c} ${type}`)].join(', ');
  return sql`jsonb_to_recordset(${JSON.stringify(slim)}::jsonb) as v(${sql.raw(columns)})`;
}

/**
 * The set-based writes of the collected commands, in the order the one-by-one path makes them.
 * Returns the stages it created.
 */
async function writePending(engine: CaseEngine, trx: Db, p: Pending): Promise<StageRow[]> {
  if (p.cases.length) {
    const changes = changedColumns(p.cases, CASE_CHANGES, 'version');
    const { rows: updated } = await sql<{ id: string }>`
      update case_record c set ${setFrom(changes)}
      from ${changedRows(
        p.cases.map((c) => c.row),
        changes,
        'text',
      )}
      where c.id = v.id and c.version = v.version - 1
        and c.id = any(${p.cases.map((c) => c.row.id)}::text[])
      returning c.id`.execute(trx);
    // The rows are locked: a mismatch means a bug, and the batch falls back to one by one.
    if (updated.length !== p.cases.length) throw new Error('case batch: a case changed under its lock');
  }
  const stageChanges = changedColumns(p.stageUpdates, STAGE_CHANGES);
  if (stageChanges.length)
    await sql`
      update case_stage s set ${setFrom(stageChanges)}
      from ${changedRows(
        p.stageUpdates.map((u) => u.row),
        stageChanges,
        'bigint',
      )}
      where s.id = v.id and s.id = any(${p.stageUpdates.map((u) => String(u.row.id))}::bigint[])`.execute(
      trx,
    );
  // Notifications, history, working-time milestones and the new stages in one statement
  // (stages last, for their ids).
  const ids = await insertRowsTogether<{ id: number; case_id: string }>(
    trx,
    [
      {
        table: 'case_notification',
        rows: p.notes.map(notificationRow),
      },
      { table: 'case_history', rows: p.history },
      { table: 'case_timing', rows: p.timings, onConflict: sql`on conflict (case_id, milestone) do nothing` },
      {
        table: 'case_stage',
        rows: p.newStages.map((s) => ({
          case_id: s.case_id,
          stage: s.stage,
          round: s.round,
          basis: s.basis,
          limit_minutes: s.limit_minutes,
          running_since: s.running_since,
          started_at: s.started_at,
          yellow_at: s.yellow_at,
          deadline: s.deadline,
          light: s.light,
        })),
      },
    ],
    { returning: ['id', 'case_id'] },
  );
  // A case starts at most one stage per flush (a second command on a case flushes first);
  // the rest of the row is what was written.
  const idOf = new Map(ids.map((r) => [r.case_id, Number(r.id)]));
  if (idOf.size !== p.newStages.length)
    throw new Error('case batch: two new stages of one case in one flush');
  const created: StageRow[] = p.newStages.map((s) => ({ ...s, id: idOf.get(s.case_id)! }));
  const jobs = [...p.jobs];
  // A stage that starts has its yellow threshold ahead of it.
  for (const s of created)
    jobs.push(nextThresholdJob(s, { yellowAt: s.yellow_at!, deadline: s.deadline! }, s.started_at));
  // The audit append takes the commit-order lock (a flush always has audit entries, and
  // runs outside any savepoint), which the events then hold too.
  await engine.deps.appendAuditBatch(trx, p.audit);
  jobs.push(...(await recordCaseEvents(trx, p.events, { commitOrderLockHeld: p.audit.length > 0 })));
  // The ended stages' timers cancelled, the new ones and the events' jobs added: one statement.
  await engine.scheduler.rescheduleMany(p.cancels, jobs, trx);
  return created;
}
