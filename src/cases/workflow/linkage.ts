/**
 * Linkage (街乡吹哨、部门报到): the report-in deadline of a whistle runs on the kernel
 * scheduler (one job per whistle, key `linkage:<whistleId>`); at the deadline every
 * summoned department that has not reported in is flagged as missed, the street officer
 * who whistled is told, and the miss is in the case history and the audit log.
 */
import type { ScheduleRequest } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { appendHistory } from '../store/case-store.ts';
import { notify } from '../outreach/notifications.ts';
import { lockCaseOrGiveWay, publishAfterCommit } from '../timers/sla-timers.ts';
import { caseEvents } from '../rules/case-events.ts';

export const JOB_REPORT_IN_DEADLINE = 'case.linkage.deadline';

/** The job of a whistle's report-in deadline. */
export function reportInDeadlineJob(whistleId: number, caseId: string, deadline: Date): ScheduleRequest {
  return {
    kind: JOB_REPORT_IN_DEADLINE,
    runAt: deadline,
    key: `linkage:${whistleId}`,
    payload: { whistleId, caseId },
  };
}

const SYSTEM = 'system:linkage';

/** Registers the deadline handler. */
export function registerLinkageJobs(engine: CaseEngine): void {
  engine.scheduler.handle(JOB_REPORT_IN_DEADLINE, async (job, trx) => {
    const { whistleId, caseId } = job.payload as { whistleId: number; caseId: string };
    const now = engine.clock.now();
    // The case first, without waiting (see sla-timers.ts, loadLiveStage): a transition batch
    // holding it may be about to record a report-in on these very rows.
    await lockCaseOrGiveWay(trx, caseId);
    const missed = await trx
      .updateTable('case_linkage')
      .set({ missed: true })
      .where('whistle_id', '=', whistleId)
      .where('reported_in_at', 'is', null)
      .where('missed', '=', false)
      .returning('department')
      .execute();
    if (missed.length === 0) return;
    const departments = missed.map((m) => m.department as string);
    const c = await trx
      .selectFrom('case_record')
      .select(['number', 'state'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    const whistle = await trx
      .selectFrom('case_whistle')
      .select('whistled_by')
      .where('id', '=', whistleId)
      .executeTakeFirstOrThrow();
    await notify(trx, {
      caseId,
      kind: 'report_in_missed',
      user: whistle.whistled_by,
      message: `Case ${c.number}: ${departments.join(', ')} did not report in by the deadline.`,
      data: { whistleId, departments },
      at: now,
    });
    const params = { whistleId, departments };
    await appendHistory(trx, {
      caseId,
      action: 'report-in-missed',
      from: c.state,
      to: c.state,
      actor: SYSTEM,
      roles: [],
      params,
      at: now,
    });
    await engine.deps.appendAudit(trx, {
      actor: SYSTEM,
      action: 'case.report_in_missed',
      objectType: 'case',
      objectId: caseId,
      after: params,
      at: now,
    });
    await publishAfterCommit(
      engine,
      trx,
      caseEvents.create('case.report_in_missed', { caseId, ...params }, now, `case:${c.number}`),
    );
  });
}
