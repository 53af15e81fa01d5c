/**
 * Stage clocks of a case in the database and their timers on the kernel scheduler. A running
 * stage has one pending job, keyed `sla:<caseId>:<stage>:<yellow|red|escalate>`, scheduled
 * in the transaction that starts the stage: yellow marks the light and schedules red; red raises a
 * supervision notice (督办) to the lead department's leader and schedules the escalation;
 * escalation moves the case one level up. The scheduler fires each job exactly once.
 */
import {
  type Db,
  isLockNotAvailable,
  type Job,
  JobBusyError,
  type PlatformEvent,
  type ScheduleRequest,
  type Stage,
} from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { recordCaseEvent } from '../store/case-outbox.ts';
import { ESCALATION_LEVELS } from '../rules/case-model.ts';
import { appendHistory, type CaseRow, type StageRow } from '../store/case-store.ts';
import { type NotificationInput, notify } from '../outreach/notifications.ts';
import { caseEvents } from '../rules/case-events.ts';

export const JOB_YELLOW = 'case.sla.yellow';
export const JOB_RED = 'case.sla.red';
export const JOB_ESCALATE = 'case.sla.escalate';
/** Publishes an event after the transaction that scheduled it committed (a tiny outbox). */
export const JOB_PUBLISH = 'case.publish';

/** The key of a stage's timer: one pending job per case, stage and threshold. */
export const timerKey = (caseId: string, stage: Stage, what: 'yellow' | 'red' | 'escalate') =>
  `sla:${caseId}:${stage}:${what}`;

/**
 * The one timer a running stage has pending: its yellow threshold while that is ahead, else
 * its deadline. The yellow job, when it fires, schedules the red one (one job per stage
 * instead of two: intake and every transition write half the timer rows).
 */
export function nextThresholdJob(
  s: { case_id: string; stage: Stage; id: number | string },
  t: { yellowAt: Date; deadline: Date },
  now: Date,
): ScheduleRequest {
  const payload = { caseId: s.case_id, stageId: Number(s.id) };
  const maxAttempts = THRESHOLD_ATTEMPTS;
  return t.yellowAt.getTime() > now.getTime()
    ? {
        kind: JOB_YELLOW,
        runAt: t.yellowAt,
        key: timerKey(s.case_id, s.stage, 'yellow'),
        payload,
        maxAttempts,
      }
    : { kind: JOB_RED, runAt: t.deadline, key: timerKey(s.case_id, s.stage, 'red'), payload, maxAttempts };
}

/**
 * Attempts of a threshold job before the scheduler gives up on it. The red timer exists only
 * once the yellow one ran, so a stage's supervision rides on both: they retry through an
 * outage of about two days (the scheduler's backoff doubles up to an hour) rather than five
 * attempts in half a minute.
 */
export const THRESHOLD_ATTEMPTS = 50;

/** Case columns that change with the stage. */
export type StagePatch = Partial<Pick<CaseRow, 'stage' | 'light' | 'deadlines' | 'handle_deadline'>>;

/** Schedules an event to be published once the current transaction has committed. */
export async function publishAfterCommit(engine: CaseEngine, trx: Db, event: PlatformEvent): Promise<void> {
  await recordCaseEvent(trx, engine.scheduler, event);
  await engine.scheduler.schedule(
    {
      kind: JOB_PUBLISH,
      runAt: engine.clock.now(),
      payload: { event: event as unknown as Record<string, unknown> },
    },
    trx,
  );
}

const SYSTEM = 'system:sla-clock';

async function loadLiveStage(trx: Db, job: Job): Promise<{ s: StageRow; row: CaseRow } | null> {
  const { caseId, stageId } = job.payload as { caseId: string; stageId: number };
  const row = await lockCaseOrGiveWay(trx, caseId);
  const s = (await trx.selectFrom('case_stage').selectAll().where('id', '=', stageId).executeTakeFirst()) as
    | StageRow
    | undefined;
  // A stage that ended or paused after the job was scheduled owes nothing.
  if (!row || !s || s.ended_at || !s.running_since) return null;
  return { s, row };
}

/**
 * A timer job's case, locked without waiting; if another transaction holds it, the job
 * gives way (`JobBusyError`: it runs again a second later, no attempt counted). The job
 * holds its own row while it runs, and a transition that holds the case cancels the case's
 * timers, i.e. waits for that row: waiting here would deadlock the two (PostgreSQL breaks
 * it after a second by aborting one, at times a whole transition batch). NO KEY UPDATE, as
 * an UPDATE of the case takes: it conflicts with transitions, not with the key-share locks
 * of rows inserted beside the case.
 */
export async function lockCaseOrGiveWay(trx: Db, caseId: string): Promise<CaseRow | undefined> {
  try {
    return (await trx
      .selectFrom('case_record')
      .selectAll()
      .where('id', '=', caseId)
      .forNoKeyUpdate()
      .noWait()
      .executeTakeFirst()) as CaseRow | undefined;
  } catch (e) {
    if (isLockNotAvailable(e)) throw new JobBusyError(`case ${caseId} is being changed`);
    throw e;
  }
}

/** Registers the SLA, linkage and outbox job handlers. */
export function registerSlaJobs(engine: CaseEngine): void {
  const { scheduler } = engine;

  scheduler.handle(JOB_PUBLISH, async (job) => {
    const event = job.payload.event as PlatformEvent;
    // NATS accepts the event and delivers it later, so waiting is safe and a refusal retries
    // the job. The in-process bus runs subscribers right here, inside this job's
    // transaction: one that queries the database would wait for the transaction, which
    // waits for it (PGlite has a single connection). It never rejects, so do not wait.
    if (engine.bus.kind === 'nats') await engine.bus.publish(event);
    else void engine.bus.publish(event);
  });

  scheduler.handle(JOB_YELLOW, async (job, trx) => {
    const live = await loadLiveStage(trx, job);
    if (!live) return;
    // The stage's next timer: its deadline (as the stage has it now, extensions included).
    if (live.s.deadline)
      await scheduler.schedule(
        {
          kind: JOB_RED,
          runAt: new Date(live.s.deadline),
          key: timerKey(live.s.case_id, live.s.stage, 'red'),
          payload: job.payload,
          maxAttempts: THRESHOLD_ATTEMPTS,
        },
        trx,
      );
    if (live.s.light !== 'green') return;
    await trx.updateTable('case_stage').set({ light: 'yellow' }).where('id', '=', live.s.id).execute();
    await trx.updateTable('case_record').set({ light: 'yellow' }).where('id', '=', live.row.id).execute();
    await publishAfterCommit(
      engine,
      trx,
      caseEvents.create(
        'case.sla_yellow',
        { caseId: live.row.id, stage: live.s.stage },
        engine.clock.now(),
        `case:${live.row.number}`,
      ),
    );
  });

  /** The escalation of a supervised stage: escalateAfterMinutes after its notice, not before now. */
  const scheduleEscalation = (s: StageRow, supervisedAt: Date, now: Date, trx: Db) =>
    scheduler.schedule(
      {
        kind: JOB_ESCALATE,
        runAt: new Date(
          Math.max(now.getTime(), supervisedAt.getTime() + engine.settings.escalateAfterMinutes * 60_000),
        ),
        key: timerKey(s.case_id, s.stage, 'escalate'),
        payload: { caseId: s.case_id, stageId: Number(s.id) },
        maxAttempts: THRESHOLD_ATTEMPTS,
      },
      trx,
    );

  scheduler.handle(JOB_RED, async (job, trx) => {
    const live = await loadLiveStage(trx, job);
    if (!live) return;
    const { s, row } = live;
    const now = engine.clock.now();
    if (s.supervised_at) {
      // Supervised already, then paused or extended while still red: the pause cancelled
      // the escalation timer, so it is set again (the same time after the notice as ever).
      if (!s.escalated_at) await scheduleEscalation(s, new Date(s.supervised_at), now, trx);
      return;
    }
    await trx
      .updateTable('case_stage')
      .set({ light: 'red', supervised_at: now })
      .where('id', '=', s.id)
      .execute();
    await trx
      .updateTable('case_record')
      .set({ light: 'red', updated_at: now })
      .where('id', '=', row.id)
      .execute();
    const params = { stage: s.stage, deadline: s.deadline?.toISOString(), automatic: true };
    await notify(trx, {
      caseId: row.id,
      kind: 'supervision_notice',
      // Before dispatch there is no department yet: the command center is urged instead.
      ...(row.lead_department
        ? { department: row.lead_department, role: 'department_leader' }
        : { role: 'dispatcher', division: row.district_code }),
      message: `督办 Supervision notice: case ${row.number} is overdue in stage ${s.stage}.`,
      data: params,
      at: now,
    });
    await appendHistory(trx, {
      caseId: row.id,
      action: 'supervise',
      from: row.state,
      to: row.state,
      actor: SYSTEM,
      roles: [],
      params,
      at: now,
    });
    await engine.deps.appendAudit(trx, {
      actor: SYSTEM,
      action: 'case.supervised',
      objectType: 'case',
      objectId: row.id,
      after: params,
      at: now,
    });
    await scheduleEscalation(s, now, now, trx);
    await publishAfterCommit(
      engine,
      trx,
      caseEvents.create(
        'case.supervised',
        { caseId: row.id, stage: s.stage, automatic: true },
        now,
        `case:${row.number}`,
      ),
    );
  });

  scheduler.handle(JOB_ESCALATE, async (job, trx) => {
    const live = await loadLiveStage(trx, job);
    if (!live || live.s.escalated_at) return;
    const { s, row } = live;
    const now = engine.clock.now();
    await trx.updateTable('case_stage').set({ escalated_at: now }).where('id', '=', s.id).execute();
    await escalateCase(engine, trx, row, SYSTEM, [], { stage: s.stage, automatic: true }, now);
  });
}

/**
 * The notification of a case's move one level up (`level`, an index of ESCALATION_LEVELS):
 * to the district government of its district, or the city command center of its city.
 */
export function escalationNotice(
  row: CaseRow,
  level: number,
  params: Record<string, unknown>,
  now: Date,
): NotificationInput {
  const to = ESCALATION_LEVELS[level];
  return {
    caseId: row.id,
    kind: 'escalation',
    ...(to === 'district_government'
      ? { role: 'district_government', division: row.district_code }
      : { role: 'city_command_center', division: row.district_code?.slice(0, 4) ?? null }),
    message: `Case ${row.number} escalated to ${to}.`,
    data: { ...params, level: to },
    at: now,
  };
}

/**
 * The escalation timer's move of a case one level up (department → district government →
 * city command center): notifies the new level, and records history, audit and the event.
 * (The `escalate` action decides the same move in transition-decide.ts.)
 */
async function escalateCase(
  engine: CaseEngine,
  trx: Db,
  row: CaseRow,
  actor: string,
  roles: readonly string[],
  params: Record<string, unknown>,
  now: Date,
): Promise<number> {
  const level = Math.min(row.escalation_level + 1, ESCALATION_LEVELS.length - 1);
  if (level === row.escalation_level) return level;
  await trx
    .updateTable('case_record')
    .set({ escalation_level: level, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  await notify(trx, escalationNotice(row, level, params, now));
  const all = { ...params, level: ESCALATION_LEVELS[level] };
  await appendHistory(trx, {
    caseId: row.id,
    action: 'escalate',
    from: row.state,
    to: row.state,
    actor,
    roles,
    params: all,
    at: now,
  });
  await engine.deps.appendAudit(trx, {
    actor,
    action: 'case.escalated',
    objectType: 'case',
    objectId: row.id,
    before: { escalationLevel: ESCALATION_LEVELS[row.escalation_level] },
    after: all,
    at: now,
  });
  await publishAfterCommit(
    engine,
    trx,
    caseEvents.create('case.escalated', { caseId: row.id, ...all }, now, `case:${row.number}`),
  );
  return level;
}
