import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  type Backend,
  closeTestStorage,
  openTestStorage,
  testBackends,
} from '../../../test/support/storage.ts';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../logger.ts';
import { migrateToLatest, type Storage } from '../storage/index.ts';
import { JOB_PRUNE_BATCH, JOB_PRUNE_JOB, pruneFinishedJobs, scheduleJobPruning } from './job-pruning.ts';
import { createScheduler, type Scheduler, schedulerMigrations } from './scheduler.ts';

const logger = createLogger({ logLevel: 'silent', logPretty: false });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const retention = { doneDays: 7, failedDays: 30 };

for (const backend of testBackends()) {
  describe(`scheduler job pruning on ${backend}`, () => {
    let storage: Storage;
    let clock: ManualClock;
    let scheduler: Scheduler;
    let fired: number[];

    before(async () => {
      storage = await openTestStorage(backend as Backend);
      await migrateToLatest(storage.db, [schedulerMigrations]);
    });
    after(() => closeTestStorage(storage));

    beforeEach(async () => {
      await sql`delete from kernel_job`.execute(storage.db);
      clock = new ManualClock('2026-03-02T01:00:00Z');
      scheduler = createScheduler({ db: storage.db, clock, logger, nodeId: 'node-a' });
      fired = [];
      scheduler.handle('test.ok', async (job) => {
        fired.push(job.id);
      });
      scheduler.handle('test.bad', async () => {
        throw new Error('always fails');
      });
    });

    const statusById = async () => {
      const rows = await sql<{ id: string; status: string }>`select id, status from kernel_job`.execute(
        storage.db,
      );
      return new Map(rows.rows.map((r) => [Number(r.id), r.status]));
    };
    const count = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from kernel_job where kind <> ${JOB_PRUNE_JOB}`.execute(storage.db)
        ).rows[0]!.n,
      );

    test('old done and cancelled jobs go after 7 days, failed ones after 30; pending and recent ones stay', async () => {
      const now = clock.now();
      const done = await scheduler.schedule({ kind: 'test.ok', key: 'sla:1', runAt: now });
      const failed = await scheduler.schedule({ kind: 'test.bad', runAt: now, maxAttempts: 1 });
      const cancelled = await scheduler.schedule({
        kind: 'test.ok',
        key: 'sla:2',
        runAt: new Date(now.getTime() + DAY),
      });
      const later = await scheduler.schedule({
        kind: 'test.ok',
        key: 'sla:3',
        runAt: new Date(now.getTime() + 60 * DAY),
      });
      assert.equal(await scheduler.runDue(), 2);
      assert.equal(await scheduler.cancel('sla:2'), 1);

      clock.advance(6 * DAY);
      const recent = await scheduler.schedule({ kind: 'test.ok', runAt: clock.now() });
      assert.equal(await scheduler.runDue(), 1);
      assert.equal(
        await pruneFinishedJobs(storage.db, retention, clock.now()),
        0,
        'nothing is 7 days old yet',
      );

      clock.advance(1 * DAY + 1);
      assert.equal(await pruneFinishedJobs(storage.db, retention, clock.now()), 2);
      let rows = await statusById();
      assert.equal(rows.has(done.id!), false, 'the done job went');
      assert.equal(rows.has(cancelled.id!), false, 'the cancelled job went');
      assert.equal(rows.get(failed.id!), 'failed', 'a failed job stays for an operator');
      assert.equal(rows.get(recent.id!), 'done', 'a job done a day ago stays');
      assert.equal(rows.get(later.id!), 'pending', 'a pending job stays, however old its creation');

      clock.advance(23 * DAY);
      assert.equal(await pruneFinishedJobs(storage.db, retention, clock.now()), 2);
      rows = await statusById();
      assert.deepEqual([...rows.entries()], [[later.id!, 'pending']]);

      // A pruned job never fires again; the pending one fires once at its time.
      clock.set(new Date(now.getTime() + 60 * DAY));
      assert.equal(await scheduler.runDue(), 1);
      assert.deepEqual(fired, [done.id, recent.id, later.id]);
    });

    test('0 keeps them; rows finished before finished_at existed age by their firing or due time', async () => {
      await scheduler.schedule({ kind: 'test.ok', runAt: clock.now() });
      await scheduler.schedule({ kind: 'test.bad', runAt: clock.now(), maxAttempts: 1 });
      await scheduler.runDue();
      await sql`update kernel_job set finished_at = null`.execute(storage.db);
      clock.advance(40 * DAY);
      assert.equal(await pruneFinishedJobs(storage.db, { doneDays: 0, failedDays: 0 }, clock.now()), 0);
      assert.equal(await pruneFinishedJobs(storage.db, { doneDays: 7, failedDays: 0 }, clock.now()), 1);
      assert.deepEqual([...(await statusById()).values()], ['failed']);
      assert.equal(await pruneFinishedJobs(storage.db, { doneDays: 0, failedDays: 30 }, clock.now()), 1);
      assert.equal(await count(), 0);
    });

    test('the pruning job deletes bounded batches, the next one at once while they are full', async () => {
      const old = new Date(clock.now().getTime() - 10 * DAY);
      await sql`insert into kernel_job (kind, run_at, status, finished_at)
        select 'test.ok', ${old}, case when n % 2 = 0 then 'done' else 'cancelled' end, ${old}
        from generate_series(1, ${2 * JOB_PRUNE_BATCH + 500}) as n`.execute(storage.db);
      const pending = await scheduler.schedule({
        kind: 'test.ok',
        runAt: new Date(clock.now().getTime() + 2 * HOUR),
      });
      await scheduleJobPruning({ scheduler, clock, logger, retention });
      assert.equal(await scheduler.runDue(), 0, 'the first pruning waits one interval');

      clock.advance(HOUR);
      assert.equal(await scheduler.runDue(1), 1);
      assert.equal(await count(), JOB_PRUNE_BATCH + 500 + 1, 'one batch per transaction');
      assert.equal(await scheduler.runDue(1), 1, 'a full batch has the next one due at once');
      assert.equal(await count(), 500 + 1);
      assert.equal(await scheduler.runDue(1), 1);
      assert.equal(await count(), 1);
      assert.equal(await scheduler.runDue(), 0, 'a partial batch has the next run an hour later');

      const jobs = await sql<{ key: string; status: string; run_at: Date }>`
        select key, status, run_at from kernel_job where kind = ${JOB_PRUNE_JOB} order by id`.execute(
        storage.db,
      );
      assert.deepEqual(
        jobs.rows.map((j) => [j.key, j.status]),
        [
          [`${JOB_PRUNE_JOB}:a`, 'done'],
          [`${JOB_PRUNE_JOB}:b`, 'done'],
          [`${JOB_PRUNE_JOB}:a`, 'done'],
          [`${JOB_PRUNE_JOB}:b`, 'pending'],
        ],
      );
      assert.equal(new Date(jobs.rows[3]!.run_at).getTime(), clock.now().getTime() + HOUR);
      assert.equal((await statusById()).get(pending.id!), 'pending');
      assert.deepEqual(fired, [], 'pruning fires no job');
    });
  });
}
