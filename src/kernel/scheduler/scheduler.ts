import { hostname } from 'node:os';
import { type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Database, Db, MigrationSet } from '../storage/index.ts';
import type { KernelJobTable } from './scheduler-tables.ts';

/** A job as its handler sees it. */
export interface Job<P = Record<string, unknown>> {
  readonly id: number;
  readonly kind: string;
  readonly key: string | null;
  readonly runAt: Date;
  readonly payload: P;
  readonly attempts: number;
}

/**
 * Runs a due job inside the transaction that marks it done: every database effect of the
 * handler commits together with "fired", so a job fires exactly once across any number of
 * nodes. Effects outside the database (HTTP calls) belong in their own retried jobs.
 */
export type JobHandler = (job: Job, trx: Transaction<Database>) => Promise<void>;

/**
 * Thrown by a handler whose object another transaction holds (a row it would lock with
 * NOWAIT): the job runs again after `retryInMs` without counting an attempt. A handler
 * holds its job's row while it runs, so one that waited for a row held by a transaction that
 * waits for the job's row (to cancel it) would deadlock; giving way instead lets that
 * transaction go on, and the job sees its result next time.
 */
export class JobBusyError extends Error {
  readonly retryInMs: number;
  constructor(message: string, retryInMs = 1000) {
    super(message);
    this.name = 'JobBusyError';
    // Never at once: a poll would spin on the job for as long as its object is held.
    this.retryInMs = Math.max(100, retryInMs);
  }
}

/** Whether a database error is PostgreSQL's "could not obtain lock" (a NOWAIT lock refused). */
export const isLockNotAvailable = (e: unknown): boolean => (e as { code?: string })?.code === '55P03';

export interface ScheduleRequest {
  kind: string;
  runAt: Date;
  payload?: Record<string, unknown>;
  /** Deduplication key: a second schedule with the same key is ignored while the first exists. */
  key?: string;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
}

/** Database-backed timers (deadlines, retries) that fire exactly once with several nodes. */
export interface Scheduler {
  /** Adds a job; pass the caller's transaction so it commits with the state change. */
  schedule(request: ScheduleRequest, db?: Kysely<Database>): Promise<{ id: number | null; created: boolean }>;
  /**
   * Adds many jobs in one statement (group-committed case intake and transitions); the same
   * key rule as `schedule`. Returns how many were created.
   */
  scheduleMany(requests: readonly ScheduleRequest[], db?: Kysely<Database>): Promise<number>;
  /** Cancels pending jobs by key; returns how many. */
  cancel(key: string, db?: Kysely<Database>): Promise<number>;
  /** Cancels the pending jobs of many keys in one statement; returns how many. */
  cancelMany(keys: readonly string[], db?: Kysely<Database>): Promise<number>;
  /**
   * `cancelMany(cancelKeys)` then `scheduleMany(requests)`, as one statement when no request
   * reuses a cancelled key (a group-committed batch's ended and started timers). Returns how
   * many jobs were created.
   */
  rescheduleMany(
    cancelKeys: readonly string[],
    requests: readonly ScheduleRequest[],
    db?: Kysely<Database>,
  ): Promise<number>;
  /** Registers the handler of a job kind (one per kind). */
  handle(kind: string, handler: JobHandler): void;
  /**
   * Runs every job due at the clock's now, one transaction each (up to `limit`); returns
   * how many ran, failed attempts and jobs that gave way (`JobBusyError`) included. Jobs
   * locked by another node are skipped.
   */
  runDue(limit?: number): Promise<number>;
  /** Polls every `pollMs` until stopped. */
  start(pollMs: number): void;
  stop(): Promise<void>;
}

export const schedulerMigrations: MigrationSet = {
  '0001-kernel-jobs': {
    async up(db) {
      await db.schema
        .createTable('kernel_job')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text')
        .addColumn('run_at', 'timestamptz', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
        .addColumn('last_error', 'text')
        .addColumn('fired_by', 'text')
        .addColumn('fired_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await sql`create unique index kernel_job_key_pending on kernel_job (key) where status = 'pending'`.execute(
        db,
      );
      await sql`create index kernel_job_due on kernel_job (run_at) where status = 'pending'`.execute(db);
    },
  },
  // The metrics count the failed jobs without reading the done ones.
  '0002-kernel-jobs-failed': {
    async up(db) {
      await sql`create index kernel_job_failed on kernel_job (id) where status = 'failed'`.execute(db);
    },
  },
  // When a job became done, failed or cancelled, for the pruning job (job-pruning.ts). A column
  // without a default is added without rewriting the table; rows finished before it age by
  // their firing or due time instead (FINISHED_AT in job-pruning.ts, which this index matches).
  '0003-kernel-jobs-finished': {
    async up(db) {
      await sql`alter table kernel_job add column finished_at timestamptz`.execute(db);
      await sql`create index kernel_job_finished on kernel_job (status, (coalesce(finished_at, fired_at, run_at)))
        where status <> 'pending'`.execute(db);
    },
  },
};

/** The columns of `kernel_job` a firing reads. */
type JobRow = Pick<
  Selectable<KernelJobTable>,
  'id' | 'kind' | 'key' | 'run_at' | 'payload' | 'attempts' | 'max_attempts'
>;

/** Delay before retry number `attempt` (1-based): 2 s, 4 s, 8 s… capped at one hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 1000 * 2 ** attempt);
}

/**
 * The insert of many jobs after `prefix` (a WITH clause, or nothing). A key repeated inside
 * one statement would make ON CONFLICT fail ("cannot affect row a second time"): the first
 * request of a key wins, as with consecutive `schedule` calls. All rows go as one JSON
 * parameter: far cheaper per row than bind parameters on PGlite.
 */
function insertJobs(requests: readonly ScheduleRequest[], prefix: RawBuilder<unknown>) {
  const seen = new Set<string>();
  const rows = requests
    .filter((r) => {
      if (!r.key) return true;
      if (seen.has(r.key)) return false;
      seen.add(r.key);
      return true;
    })
    .map((r) => ({
      kind: r.kind,
      key: r.key ?? null,
      run_at: r.runAt,
      payload: r.payload ?? {},
      max_attempts: r.maxAttempts ?? 5,
    }));
  return sql`${prefix}
    insert into kernel_job (kind, key, run_at, payload, max_attempts)
    select kind, key, run_at, payload, max_attempts
    from jsonb_populate_recordset(null::kernel_job, ${JSON.stringify(rows)}::jsonb)
    on conflict (key) where status = 'pending' do nothing`;
}

/** Creates the scheduler of one node. `nodeId` is recorded on each fired job. */
export function createScheduler(opts: { db: Db; clock: Clock; logger: Logger; nodeId?: string }): Scheduler {
  const { db, clock, logger } = opts;
  const nodeId = opts.nodeId ?? `${hostname()}:${process.pid}`;
  const handlers = new Map<string, JobHandler>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  async function fireOne(): Promise<boolean> {
    const now = clock.now();
    const kinds = [...handlers.keys()];
    if (kinds.length === 0) return false;
    let failed: { job: JobRow; error: unknown } | null = null;
    const fired = await db.transaction().execute(async (trx) => {
      const job: JobRow | undefined = await trx
        .selectFrom('kernel_job')
        .select(['id', 'kind', 'key', 'run_at', 'payload', 'attempts', 'max_attempts'])
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .where('kind', 'in', kinds)
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!job) return false;
      const handler = handlers.get(job.kind)!;
      try {
        await sql`savepoint job_handler`.execute(trx);
        await handler(
          {
            id: Number(job.id),
            kind: job.kind,
            key: job.key,
            runAt: job.run_at,
            payload: job.payload,
            attempts: job.attempts + 1,
          },
          trx,
        );
        await sql`release savepoint job_handler`.execute(trx);
        await trx
          .updateTable('kernel_job')
          .set({
            status: 'done',
            attempts: job.attempts + 1,
            fired_by: nodeId,
            fired_at: clock.now(),
            finished_at: clock.now(),
          })
          .where('id', '=', job.id)
          .execute();
      } catch (error) {
        await sql`rollback to savepoint job_handler`.execute(trx);
        if (error instanceof JobBusyError) {
          await trx
            .updateTable('kernel_job')
            .set({ run_at: new Date(now.getTime() + error.retryInMs) })
            .where('id', '=', job.id)
            .execute();
          logger.debug({ jobId: job.id, kind: job.kind, reason: error.message }, 'scheduled job gave way');
          return true;
        }
        failed = { job, error };
        const attempts = job.attempts + 1;
        const giveUp = attempts >= job.max_attempts;
        await trx
          .updateTable('kernel_job')
          .set({
            status: giveUp ? 'failed' : 'pending',
            attempts,
            last_error: String((error as Error)?.message ?? error).slice(0, 2000),
            // A failed job keeps the time it was due; a retried one waits 2 s, 4 s, 8 s… (≤ 1 h).
            ...(giveUp
              ? { finished_at: clock.now() }
              : { run_at: new Date(now.getTime() + retryDelayMs(attempts)) }),
          })
          .where('id', '=', job.id)
          .execute();
      }
      return true;
    });
    if (failed) {
      const f = failed as { job: JobRow; error: unknown };
      const attempts = f.job.attempts + 1;
      const giveUp = attempts >= f.job.max_attempts;
      logger[giveUp ? 'error' : 'warn'](
        { err: f.error, jobId: f.job.id, kind: f.job.kind, attempts },
        giveUp ? 'scheduled job failed for good' : 'scheduled job failed; will retry',
      );
    }
    return fired;
  }

  /** One poll: runs due jobs until none is left or the scheduler is stopped. */
  async function pollOnce(): Promise<number> {
    let n = 0;
    while (!stopped && (await fireOne())) n++;
    return n;
  }

  const scheduler: Scheduler = {
    async schedule(request, on = db) {
      const row = await on
        .insertInto('kernel_job')
        .values({
          kind: request.kind,
          key: request.key ?? null,
          run_at: request.runAt,
          payload: JSON.stringify(request.payload ?? {}),
          max_attempts: request.maxAttempts ?? 5,
        })
        .onConflict((oc) => oc.column('key').where(sql<boolean>`status = 'pending'`).doNothing())
        .returning('id')
        .executeTakeFirst();
      return { id: row ? Number(row.id) : null, created: !!row };
    },
    async scheduleMany(requests, on = db) {
      if (requests.length === 0) return 0;
      const res = await insertJobs(requests, sql``).execute(on);
      return Number(res.numAffectedRows ?? 0);
    },
    async rescheduleMany(cancelKeys, requests, on = db) {
      const cancelled = new Set(cancelKeys);
      // A request reusing a cancelled key must see that job cancelled first; the sub-statements
      // of one statement all see the rows as they were before it.
      if (
        cancelKeys.length === 0 ||
        requests.length === 0 ||
        requests.some((r) => r.key && cancelled.has(r.key))
      ) {
        await scheduler.cancelMany(cancelKeys, on);
        return scheduler.scheduleMany(requests, on);
      }
      const res = await insertJobs(
        requests,
        sql`with cancelled as (
          update kernel_job set status = 'cancelled', finished_at = ${clock.now()}
          where key = any(${[...cancelled]}::text[]) and status = 'pending'
        )`,
      ).execute(on);
      return Number(res.numAffectedRows ?? 0);
    },
    async cancel(key, on = db) {
      const res = await on
        .updateTable('kernel_job')
        .set({ status: 'cancelled', finished_at: clock.now() })
        .where('key', '=', key)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    async cancelMany(keys, on = db) {
      if (keys.length === 0) return 0;
      const res = await on
        .updateTable('kernel_job')
        .set({ status: 'cancelled', finished_at: clock.now() })
        .where(sql<boolean>`key = any(${[...keys]}::text[])`)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    handle(kind, handler) {
      if (handlers.has(kind)) throw new Error(`A handler for job kind ${kind} is already registered`);
      handlers.set(kind, handler);
    },
    async runDue(limit = 1000) {
      let n = 0;
      while (n < limit && (await fireOne())) n++;
      return n;
    },
    start(pollMs) {
      if (timer || running) return;
      stopped = false;
      const loop = () => {
        if (stopped) return;
        running = pollOnce()
          .catch((err) => logger.error({ err }, 'scheduler poll failed'))
          .finally(() => {
            running = null;
            if (!stopped) timer = setTimeout(loop, pollMs);
          });
      };
      // First poll right away: jobs that fell due while no node was running are overdue.
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
  return scheduler;
}
