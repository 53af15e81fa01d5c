import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../storage/index.ts';
import type { Scheduler } from './scheduler.ts';

/** Rows one pruning job deletes at most, in its own short transaction. */
export const JOB_PRUNE_BATCH = 1000;
/** The scheduler's own job that deletes finished jobs. */
export const JOB_PRUNE_JOB = 'kernel.scheduler.prune';
const JOB_PRUNE_EVERY_MS = 60 * 60_000;
const DAY_MS = 86_400_000;

/** How long finished jobs are kept, in days; 0 keeps them. */
export interface JobRetention {
  /** Done and cancelled jobs (`SCHEDULER_DONE_RETENTION_DAYS`). */
  readonly doneDays: number;
  /** Failed jobs, what an operator investigates (`SCHEDULER_FAILED_RETENTION_DAYS`). */
  readonly failedDays: number;
}

// When a job finished; rows finished before `finished_at` existed age by their firing (done)
// or due time (failed, cancelled). The same expression as the kernel_job_finished index.
const FINISHED_AT = sql`coalesce(finished_at, fired_at, run_at)`;

/**
 * Deletes up to `limit` finished jobs older than their retention: done and cancelled ones
 * after `doneDays`, failed ones after `failedDays`. Pending jobs (running ones included: a
 * running job is a pending row its node holds) are never touched. No job depends on a finished
 * row: the key that deduplicates `schedule` is unique among pending jobs only, so deleting a
 * finished job can neither let a duplicate in nor fire anything again. Returns how many went.
 */
export async function pruneFinishedJobs(
  db: Db,
  retention: JobRetention,
  now: Date,
  limit = JOB_PRUNE_BATCH,
): Promise<number> {
  const old = (status: string, days: number) =>
    days > 0
      ? [
          sql`(select id from kernel_job
            where status = ${status} and ${FINISHED_AT} < ${new Date(now.getTime() - days * DAY_MS)}
            order by ${FINISHED_AT} limit ${limit})`,
        ]
      : [];
  const parts = [
    ...old('done', retention.doneDays),
    ...old('cancelled', retention.doneDays),
    ...old('failed', retention.failedDays),
  ];
  if (parts.length === 0) return 0;
  // Oldest first along the kernel_job_finished index, one status at a time: each part stops
  // after `limit` rows instead of reading the whole table, and the dead entries of earlier
  // batches are read only once. `= any(array(…))` has the delete find the rows by primary key
  // (an `in` was planned as a scan of the whole table). SKIP LOCKED: a row another pruning
  // transaction is deleting is left to it.
  const res = await sql`
    delete from kernel_job
    where id = any(array(
      select id from kernel_job
      where id in (${sql.join(parts, sql` union all `)})
      limit ${limit}
      for update skip locked))`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

/**
 * Prunes finished jobs every hour on the scheduler itself (exactly once across nodes). Each
 * job deletes one batch in its own transaction; a full batch has the next one run at once, so
 * a table grown over months is emptied without holding many rows' locks at a time.
 */
export async function scheduleJobPruning(opts: {
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  retention: JobRetention;
}): Promise<void> {
  const { scheduler, clock, logger, retention } = opts;
  scheduler.handle(JOB_PRUNE_JOB, async (job, trx) => {
    const now = clock.now();
    const pruned = await pruneFinishedJobs(trx, retention, now);
    if (pruned > 0) logger.info({ pruned }, 'finished scheduler jobs pruned');
    // Both kept: a job left from an earlier configuration runs once and schedules no other.
    if (retention.doneDays === 0 && retention.failedDays === 0) return;
    // Alternating keys: this job is still pending inside its own transaction.
    const next = job.key === `${JOB_PRUNE_JOB}:a` ? 'b' : 'a';
    await scheduler.schedule(
      {
        kind: JOB_PRUNE_JOB,
        key: `${JOB_PRUNE_JOB}:${next}`,
        runAt: pruned < JOB_PRUNE_BATCH ? new Date(now.getTime() + JOB_PRUNE_EVERY_MS) : now,
      },
      trx,
    );
  });
  if (retention.doneDays === 0 && retention.failedDays === 0) return;
  // One interval after start, as the identity throttle's pruning. A restarted node adds nothing
  // while `:a` is pending; beside a pending `:b`, the two merge at the first run, as each
  // schedules the key the other holds.
  await scheduler.schedule({
    kind: JOB_PRUNE_JOB,
    key: `${JOB_PRUNE_JOB}:a`,
    runAt: new Date(clock.now().getTime() + JOB_PRUNE_EVERY_MS),
  });
}
