import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type Generated, sql } from 'kysely';
import {
  type Backend,
  closeTestStorage,
  openTestStorage,
  testBackends,
} from '../../../test/support/storage.ts';
import { patience } from '../../../test/support/processes.ts';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../logger.ts';
import { migrateToLatest, type Storage } from '../storage/index.ts';
import {
  createScheduler,
  type Job,
  JobBusyError,
  retryDelayMs,
  type Scheduler,
  schedulerMigrations,
} from './scheduler.ts';

const logger = createLogger({ logLevel: 'silent', logPretty: false });
const MINUTE = 60_000;

/** The table the handlers in these tests write to. */
type EffectsTable = {
  effects: { id: Generated<number>; job_id: number; note: string };
};

for (const backend of testBackends()) {
  describe(`scheduler on ${backend}`, () => {
    let storage: Storage & { schema?: string };
    let clock: ManualClock;
    let scheduler: Scheduler;

    before(async () => {
      storage = await openTestStorage(backend as Backend);
      await migrateToLatest(storage.db, [schedulerMigrations]);
      await sql`create table effects (id serial primary key, job_id bigint, note text)`.execute(storage.db);
    });
    after(() => closeTestStorage(storage));

    beforeEach(async () => {
      await sql`delete from kernel_job`.execute(storage.db);
      await sql`delete from effects`.execute(storage.db);
      clock = new ManualClock('2026-03-02T01:00:00Z');
      scheduler = createScheduler({ db: storage.db, clock, logger, nodeId: 'node-a' });
    });

    const jobRow = (id: number) =>
      storage.db.selectFrom('kernel_job').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const effects = () =>
      storage.db
        .withTables<EffectsTable>()
        .selectFrom('effects')
        .select(['job_id', 'note'])
        .orderBy('id')
        .execute();

    test('a job fires at its due time, not before, once, with its payload', async () => {
      const seen: Job[] = [];
      scheduler.handle('remind', async (job) => void seen.push(job));
      const runAt = new Date(clock.now().getTime() + 10 * MINUTE);
      const { id, created } = await scheduler.schedule({
        kind: 'remind',
        runAt,
        payload: { caseId: 'c-1', n: 2 },
      });
      assert.equal(created, true);
      assert.equal(typeof id, 'number');

      assert.equal(await scheduler.runDue(), 0);
      clock.advance(10 * MINUTE - 1);
      assert.equal(await scheduler.runDue(), 0, 'one millisecond early');
      clock.advance(1);
      assert.equal(await scheduler.runDue(), 1);
      assert.equal(await scheduler.runDue(), 0, 'a fired job does not fire again');
      clock.advance(60 * MINUTE);
      assert.equal(await scheduler.runDue(), 0);

      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0], {
        id,
        kind: 'remind',
        key: null,
        runAt,
        payload: { caseId: 'c-1', n: 2 },
        attempts: 1,
      });
      const row = await jobRow(id!);
      assert.equal(row.status, 'done');
      assert.equal(row.fired_by, 'node-a');
      assert.deepEqual(row.fired_at, new Date(runAt.getTime()));
      assert.deepEqual(row.payload, { caseId: 'c-1', n: 2 });
    });

    test('due jobs run oldest first', async () => {
      const order: string[] = [];
      scheduler.handle('t', async (job) => void order.push(job.payload.name as string));
      const t0 = clock.now().getTime();
      await scheduler.schedule({ kind: 't', runAt: new Date(t0 - 1000), payload: { name: 'b' } });
      await scheduler.schedule({ kind: 't', runAt: new Date(t0 - 5000), payload: { name: 'a' } });
      await scheduler.schedule({ kind: 't', runAt: new Date(t0 + 5000), payload: { name: 'later' } });
      assert.equal(await scheduler.runDue(), 2);
      assert.deepEqual(order, ['a', 'b']);
    });

    test('a key deduplicates while the job is pending; cancel frees it', async () => {
      scheduler.handle('sla', async () => {});
      const runAt = new Date(clock.now().getTime() + MINUTE);
      const first = await scheduler.schedule({ kind: 'sla', runAt, key: 'sla:case-1' });
      const again = await scheduler.schedule({ kind: 'sla', runAt, key: 'sla:case-1' });
      assert.equal(first.created, true);
      assert.deepEqual(again, { id: null, created: false });
      const other = await scheduler.schedule({ kind: 'sla', runAt, key: 'sla:case-2' });
      assert.equal(other.created, true);

      assert.equal(await scheduler.cancel('sla:case-1'), 1);
      assert.equal(await scheduler.cancel('sla:case-1'), 0, 'nothing left to cancel');
      assert.equal((await jobRow(first.id!)).status, 'cancelled');
      const renewed = await scheduler.schedule({ kind: 'sla', runAt, key: 'sla:case-1' });
      assert.equal(renewed.created, true);
      assert.notEqual(renewed.id, first.id);
    });

    test('rescheduleMany cancels some keys and adds jobs, in one statement or, reusing a key, in two', async () => {
      const runAt = new Date(clock.now().getTime() + MINUTE);
      const statusOf = async (key: string) =>
        (
          await storage.db
            .selectFrom('kernel_job')
            .select(['status'])
            .where('key', '=', key)
            .orderBy('id')
            .execute()
        ).map((r) => r.status);
      await scheduler.scheduleMany([
        { kind: 'sla', runAt, key: 'yellow:a' },
        { kind: 'sla', runAt, key: 'yellow:b' },
      ]);
      const created = await scheduler.rescheduleMany(
        ['yellow:a', 'yellow:none'],
        [
          { kind: 'sla', runAt, key: 'yellow:c' },
          { kind: 'sla', runAt, key: 'yellow:b' },
        ],
      );
      assert.equal(created, 1, 'yellow:b is still pending: not added twice');
      assert.deepEqual(await statusOf('yellow:a'), ['cancelled']);
      assert.deepEqual(await statusOf('yellow:b'), ['pending']);
      assert.deepEqual(await statusOf('yellow:c'), ['pending']);

      // The same key cancelled and added: the old job is cancelled, a new one pending.
      const again = await scheduler.rescheduleMany(['yellow:c'], [{ kind: 'sla', runAt, key: 'yellow:c' }]);
      assert.equal(again, 1);
      assert.deepEqual(await statusOf('yellow:c'), ['cancelled', 'pending']);
      assert.equal(await scheduler.rescheduleMany([], []), 0);
    });

    test('a cancelled job never fires', async () => {
      let fired = 0;
      scheduler.handle('x', async () => void fired++);
      await scheduler.schedule({ kind: 'x', runAt: clock.now(), key: 'k' });
      await scheduler.cancel('k');
      clock.advance(MINUTE);
      assert.equal(await scheduler.runDue(), 0);
      assert.equal(fired, 0);
    });

    test('after a job fired its key can be scheduled again', async () => {
      scheduler.handle('x', async () => {});
      const a = await scheduler.schedule({ kind: 'x', runAt: clock.now(), key: 'again' });
      await scheduler.runDue();
      const b = await scheduler.schedule({ kind: 'x', runAt: clock.now(), key: 'again' });
      assert.equal(a.created && b.created, true);
    });

    test("a handler's writes commit with the job", async () => {
      scheduler.handle('write', async (job, trx) => {
        await trx
          .withTables<EffectsTable>()
          .insertInto('effects')
          .values({ job_id: job.id, note: 'written' })
          .execute();
      });
      const { id } = await scheduler.schedule({ kind: 'write', runAt: clock.now() });
      assert.equal(await scheduler.runDue(), 1);
      assert.deepEqual(await effects(), [{ job_id: id, note: 'written' }]);
      assert.equal((await jobRow(id!)).status, 'done');
    });

    test("a failing handler's writes roll back and the job retries with backoff", async () => {
      let calls = 0;
      scheduler.handle('flaky', async (job, trx) => {
        calls++;
        await trx
          .withTables<EffectsTable>()
          .insertInto('effects')
          .values({ job_id: job.id, note: `attempt ${job.attempts}` })
          .execute();
        if (job.attempts < 3) throw new Error(`transient failure ${job.attempts}`);
      });
      const { id } = await scheduler.schedule({ kind: 'flaky', runAt: clock.now() });

      assert.equal(await scheduler.runDue(), 1);
      let row = await jobRow(id!);
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.equal(row.last_error, 'transient failure 1');
      assert.deepEqual(row.run_at, new Date(clock.now().getTime() + retryDelayMs(1)));
      assert.deepEqual(await effects(), [], 'the failed attempt left nothing behind');

      assert.equal(await scheduler.runDue(), 0, 'not before the backoff');
      clock.advance(retryDelayMs(1));
      assert.equal(await scheduler.runDue(), 1);
      row = await jobRow(id!);
      assert.equal(row.attempts, 2);
      assert.deepEqual(row.run_at, new Date(clock.now().getTime() + retryDelayMs(2)));
      assert.ok(retryDelayMs(2) > retryDelayMs(1), 'the backoff grows');

      clock.advance(retryDelayMs(2));
      assert.equal(await scheduler.runDue(), 1);
      row = await jobRow(id!);
      assert.equal(row.status, 'done');
      assert.equal(row.attempts, 3);
      assert.equal(calls, 3);
      assert.deepEqual(await effects(), [{ job_id: id, note: 'attempt 3' }]);
    });

    test('a handler that gives way (JobBusyError) runs again later, its writes undone, no attempt counted', async () => {
      let calls = 0;
      scheduler.handle('polite', async (job, trx) => {
        calls++;
        await trx
          .withTables<EffectsTable>()
          .insertInto('effects')
          .values({ job_id: job.id, note: `call ${calls}` })
          .execute();
        if (calls === 1) throw new JobBusyError('its object is being changed', 5000);
      });
      const { id } = await scheduler.schedule({ kind: 'polite', runAt: clock.now(), maxAttempts: 1 });
      assert.equal(await scheduler.runDue(), 1);
      let row = await jobRow(id!);
      assert.equal(row.status, 'pending', 'not failed, although it had one attempt');
      assert.equal(row.attempts, 0);
      assert.equal(row.last_error, null);
      assert.deepEqual(row.run_at, new Date(clock.now().getTime() + 5000));
      assert.deepEqual(await effects(), []);
      assert.equal(await scheduler.runDue(), 0, 'not before its time');
      clock.advance(5000);
      assert.equal(await scheduler.runDue(), 1);
      row = await jobRow(id!);
      assert.equal(row.status, 'done');
      assert.equal(row.attempts, 1);
      assert.deepEqual(await effects(), [{ job_id: id, note: 'call 2' }]);
    });

    test('a job that keeps failing is marked failed after maxAttempts', async () => {
      let calls = 0;
      scheduler.handle('broken', async () => {
        calls++;
        throw new Error('always');
      });
      const { id } = await scheduler.schedule({
        kind: 'broken',
        runAt: clock.now(),
        maxAttempts: 2,
        key: 'b',
      });
      await scheduler.runDue();
      clock.advance(retryDelayMs(1));
      await scheduler.runDue();
      const row = await jobRow(id!);
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 2);
      assert.equal(row.last_error, 'always');
      clock.advance(24 * 60 * MINUTE);
      assert.equal(await scheduler.runDue(), 0);
      assert.equal(calls, 2);
      assert.equal(await scheduler.cancel('b'), 0, 'a failed job is not pending');
    });

    test('a job scheduled in a transaction that rolls back does not exist', async () => {
      let fired = 0;
      scheduler.handle('tx', async () => void fired++);
      await assert.rejects(
        storage.db.transaction().execute(async (trx) => {
          await scheduler.schedule({ kind: 'tx', runAt: clock.now() }, trx);
          throw new Error('abort the state change');
        }),
        /abort the state change/,
      );
      await storage.db.transaction().execute(async (trx) => {
        await scheduler.schedule({ kind: 'tx', runAt: clock.now() }, trx);
      });
      assert.equal(await scheduler.runDue(), 1);
      assert.equal(fired, 1);
    });

    test('jobs of kinds this node does not handle stay pending', async () => {
      scheduler.handle('known', async () => {});
      const { id } = await scheduler.schedule({ kind: 'unknown', runAt: clock.now() });
      assert.equal(await scheduler.runDue(), 0);
      assert.equal((await jobRow(id!)).status, 'pending');
    });

    test('one handler per kind', () => {
      scheduler.handle('once', async () => {});
      assert.throws(() => scheduler.handle('once', async () => {}), /already registered/);
    });

    test('runDue honours its limit', async () => {
      scheduler.handle('many', async () => {});
      for (let i = 0; i < 5; i++) await scheduler.schedule({ kind: 'many', runAt: clock.now() });
      assert.equal(await scheduler.runDue(2), 2);
      assert.equal(await scheduler.runDue(), 3);
    });

    test('start() polls until stop(); stop() waits for the job in hand', async () => {
      let finished = 0;
      scheduler.handle('polled', async (job, trx) => {
        await new Promise((r) => setTimeout(r, 30));
        await trx
          .withTables<EffectsTable>()
          .insertInto('effects')
          .values({ job_id: job.id, note: 'polled' })
          .execute();
        finished++;
      });
      await scheduler.schedule({ kind: 'polled', runAt: clock.now() });
      scheduler.start(20);
      scheduler.start(20); // a second start is a no-op, not a second loop
      const until = Date.now() + patience(30_000);
      while (finished < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(finished, 1);
      await scheduler.schedule({ kind: 'polled', runAt: new Date(clock.now().getTime() + MINUTE) });
      clock.advance(MINUTE);
      while (finished < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await scheduler.stop();
      assert.equal(finished, 2);
      assert.equal((await effects()).length, 2);
      await scheduler.schedule({ kind: 'polled', runAt: clock.now() });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(finished, 2, 'nothing runs after stop()');
    });

    test('two schedulers on one database never run the same job twice', async () => {
      const other = createScheduler({ db: storage.db, clock, logger, nodeId: 'node-b' });
      const handler = async (job: Job, trx: Parameters<Parameters<Scheduler['handle']>[1]>[1]) => {
        await trx
          .withTables<EffectsTable>()
          .insertInto('effects')
          .values({ job_id: job.id, note: 'fired' })
          .execute();
      };
      scheduler.handle('both', handler);
      other.handle('both', handler);
      for (let i = 0; i < 40; i++) await scheduler.schedule({ kind: 'both', runAt: clock.now() });
      const [a, b] = await Promise.all([scheduler.runDue(), other.runDue()]);
      assert.equal(a + b, 40);
      const rows = await effects();
      assert.equal(rows.length, 40);
      assert.equal(new Set(rows.map((r) => r.job_id)).size, 40);
    });
  });
}
