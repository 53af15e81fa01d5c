/**
 * The one runner of case transitions (docs/architecture.md, cases). Every action request,
 * alone or among many, runs here: a batch (the kernel's group commit) is one transaction that locks
 * every case it names in one `SELECT … FOR UPDATE` (ordered by id, so two nodes' batches
 * never deadlock) and reads their stages once. Commands then run in arrival order: the case
 * must be visible, the transition table's role, version and state checks hold, the load step
 * reads what the action's guards need from other rows (`loadFacts`), and the pure decision
 * (transition-decide.ts) checks the guards and returns the writes, which are collected. A
 * second command on a case the batch already changed first writes what was collected. The
 * collected writes go out set-based: one UPDATE … FROM for the cases, one for the stages, one
 * insert each for new stages, notifications, history, milestones, linkage and reporter rows,
 * audit records (chained in order under one lock), outbox events, and one statement for the
 * timers. A stale version still answers 409: the second of two commands on one case sees the
 * first one's version. A lone request, and each command of a batch that failed as a whole,
 * is a batch of one.
 */
import { sql } from 'kysely';
import {
  type Db,
  type GroupCommit,
  loopKey,
  NotFoundError,
  type Outcome,
  type PlatformEvent,
  wholeRowJson,
} from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import type { CaseView } from '../rules/case-model.ts';
import { recordCaseEvents } from '../store/case-outbox.ts';
import {
  type CaseRow,
  canSeeCase,
  casesFromJson,
  findCaseRow,
  insertRows,
  insertRowsTogether,
  loadCaseDetails,
  type StageRow,
  stagesFromJson,
} from '../store/case-store.ts';
import { notificationRow } from '../outreach/notifications.ts';
import { nextThresholdJob } from '../timers/sla-timers.ts';
import {
  AUTO_DISPATCHER,
  collect,
  decide,
  dispatchesByItself,
  emptyPending,
  isMergeTarget,
  type Pending,
  precheck,
  type ReporterRow,
  supervisesOrReported,
  type TransitionCommand,
  type TransitionFacts,
} from './transition-decide.ts';
import { transitionOf } from '../rules/transitions.ts';

/** Most actions committed in one transaction. */
export const TRANSITION_BATCH = 256;

/** The engine's transition group-commit loop (made with its first command, kept on the engine). */
export function transitionBatcher(engine: CaseEngine): GroupCommit<TransitionCommand, CaseView> {
  return engine.loops.of(TRANSITION_LOOP, () => ({
    maxBatch: TRANSITION_BATCH,
    runBatch: (commands) => runTransitions(engine, commands),
    runOne: (command) => runAlone(engine, command),
  }));
}

const TRANSITION_LOOP = loopKey<TransitionCommand, CaseView>('cases.transitions');

/** One command as a batch of one: its outcome is its caller's answer or error. */
export async function runAlone(engine: CaseEngine, command: TransitionCommand): Promise<CaseView> {
  const [outcome] = await runTransitions(engine, [command]);
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}

const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An error that must undo the whole batch (its commands then run again, each alone). */
class WholeBatch extends Error {
  constructor(readonly error: unknown) {
    super('case batch: undo the whole batch');
  }
}

/** Answers the responsibility list at the batch's list version (read once, when first needed). */
type Resolve = (row: CaseRow) => ReturnType<CaseEngine['deps']['resolveResponsibility']>;

/**
 * The load step: what the action's guards and effect read besides the case and its stages.
 * Reads only (a whistle reserves its id); the decision then checks what was read.
 */
async function loadFacts(
  engine: CaseEngine,
  trx: Db,
  row: CaseRow,
  command: TransitionCommand,
  resolve: Resolve,
): Promise<TransitionFacts> {
  const { principal, params: p, action } = command;
  const facts: TransitionFacts = {};
  for (const g of transitionOf(action).guards)
    switch (g) {
      case 'reporter_or_supervision':
        if (!supervisesOrReported(row, principal))
          facts.isReporter = !!(await trx
            .selectFrom('case_reporter')
            .select('id')
            .where('case_id', '=', row.id)
            .where('user_id', '=', principal.id)
            .executeTakeFirst());
        break;
      case 'merge_target': {
        const target = typeof p.into === 'string' ? await findCaseRow(trx, p.into, true) : undefined;
        facts.target =
          isMergeTarget(row, target) && (await canSeeCase(trx, principal, target!, 'jurisdiction'))
            ? target!
            : null;
        if (facts.target)
          facts.reporters = (await trx
            .selectFrom('case_reporter')
            .select(['source_case_id', 'user_id', 'name', 'phone', 'email', 'address', 'consent'])
            .where('case_id', '=', row.id)
            .orderBy('id')
            .execute()) as ReporterRow[];
        break;
      }
      case 'summoned_department': {
        const pending = await trx
          .selectFrom('case_linkage')
          .select('department')
          .where('case_id', '=', row.id)
          .where('reported_in_at', 'is', null)
          .where('department', 'in', principal.departmentCodes.length ? principal.departmentCodes : [''])
          .execute();
        facts.summoned = [...new Set(pending.map((r) => r.department as string))];
        break;
      }
      case 'rated_department':
        facts.ratedSummoned = !!(await trx
          .selectFrom('case_linkage')
          .select('whistle_id')
          .where('case_id', '=', row.id)
          .where('department', '=', String(p.department ?? ''))
          .executeTakeFirst());
        break;
    }
  if (
    (action === 'dispatch' && p.lead === undefined) ||
    (action === 'file' && engine.modules.category(row.category)?.autoDispatch)
  )
    facts.responsibility = await resolve(row);
  if (action === 'whistle') {
    const { rows } = await sql<{ id: string }>`
      select nextval(pg_get_serial_sequence('case_whistle', 'id'))::text as id`.execute(trx);
    facts.whistleId = Number(rows[0].id);
  }
  return facts;
}

/** Runs commands as one transaction; one outcome per command, in order. */
export async function runTransitions(
  engine: CaseEngine,
  commands: TransitionCommand[],
): Promise<Array<Outcome<CaseView>>> {
  const events: PlatformEvent[] = [];
  const results: Array<Outcome<CaseRow>> = [];
  const rows = new Map<string, CaseRow>();
  const stagesAtEnd = new Map<string, StageRow[]>();
  await engine.db.transaction().execute(async (trx) => {
    // A merge's target is locked with its case, in id order, so that two merges of the same
    // pair, either way round, cannot each hold one and wait for the other.
    const keys = [
      ...commands.map((c) => c.idOrNumber),
      ...commands.flatMap((c) =>
        c.action === 'merge' && typeof c.params.into === 'string' ? [c.params.into] : [],
      ),
    ];
    const ids = keys.filter((k) => UUIDISH.test(k));
    const numbers = keys.filter((k) => !UUIDISH.test(k));
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
    const resolve: Resolve = async (row) => {
      listVersion ??= engine.deps.currentListVersion(trx);
      return engine.deps.resolveResponsibility(trx, row.category, row.grid_code ?? row.district_code ?? '', {
        listVersion: await listVersion,
        cacheScope: engine,
      });
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
    /** Checks, loads, decides and collects one command on its case; returns the new row. */
    const apply = async (row: CaseRow, command: TransitionCommand): Promise<CaseRow> => {
      precheck(transitionOf(command.action), command.action, row, command.principal, command.params);
      // A second change of one case in this batch starts from the written first one.
      if (touched.has(row.id)) await flush();
      const facts = await loadFacts(engine, trx, row, command, resolve);
      const decided = decide(engine, row, stages.get(row.id) ?? [], command, facts, engine.clock.now());
      collect(pending, decided.writes);
      for (const { event } of decided.writes.events) events.push(event);
      rows.set(row.id, decided.row);
      touched.add(row.id);
      if (command.action !== 'file' || !dispatchesByItself(facts.responsibility)) return decided.row;
      // Filed in a category that dispatches by itself: the dispatch follows in the same
      // transaction, or neither happens.
      try {
        return await apply(decided.row, {
          principal: AUTO_DISPATCHER,
          idOrNumber: row.id,
          action: 'dispatch',
          params: { version: decided.row.version },
        });
      } catch (error) {
        throw error instanceof WholeBatch ? error : new WholeBatch(error);
      }
    };

    for (const command of commands) {
      try {
        const id = idOf.get(command.idOrNumber);
        const row = id ? rows.get(id) : undefined;
        if (!row || !(await canSeeCase(trx, command.principal, row, 'jurisdiction')))
          throw new NotFoundError(`Case ${command.idOrNumber} not found.`, 'case.not_found');
        results.push({ ok: true, value: await apply(row, command) });
      } catch (error) {
        if (error instanceof WholeBatch) throw commands.length === 1 ? error.error : error;
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
  ['escalation_level', 'integer'],
  ['merged_into_id', 'text'],
  ['duplicate_of_id', 'text'],
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

/** Changed columns of rows of type `R`, each with its SQL type. */
type Changes<R> = ReadonlyArray<readonly [keyof R & string, string]>;

/**
 * The columns of `changes` that some row changed (and `always`): a flush of one kind of
 * action changes a handful of a case's 26, so the statement carries, and the database
 * parses and assigns, only those (measured: docs/benchmarks-log.md, 2026-11-29 10:19).
 */
function changedColumns<R extends object>(
  pairs: ReadonlyArray<{ before: R; row: R }>,
  changes: ReadonlyArray<readonly [keyof R & string, string]>,
  always?: keyof R & string,
): Changes<R> {
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
const setFrom = <R>(changes: Changes<R>) => sql.raw(changes.map(([c]) => `${c} = v.${c}`).join(', '));

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
function changedRows<R extends { id: unknown }>(rows: readonly R[], changes: Changes<R>, idType: string) {
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
  // Whistles before the statement that inserts their linkage rows (which refer to them).
  if (p.whistles.length) await insertRows(trx, 'case_whistle', p.whistles);
  for (const u of p.linkageUpdates)
    if (u.kind === 'report-in')
      await trx
        .updateTable('case_linkage')
        .set({ reported_in_at: u.at, reported_in_by: u.by })
        .where('case_id', '=', u.caseId)
        .where('reported_in_at', 'is', null)
        .where('department', 'in', u.departments)
        .execute();
    // The department's latest summons is the one rated.
    else
      await trx
        .updateTable('case_linkage')
        .set({ rating: u.rating, rating_comment: u.comment, rated_by: u.by, rated_at: u.at })
        .where('department', '=', u.department)
        .where(
          sql<boolean>`whistle_id = (select max(whistle_id) from case_linkage
            where case_id = ${u.caseId} and department = ${u.department})`,
        )
        .execute();
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
      { table: 'case_linkage', rows: p.linkages },
      { table: 'case_reporter', rows: p.reporters },
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
