import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { auditCapability } from '../audit/index.ts';
import { createIdentityCapability, loadIdentitySettings } from './index.ts';
import { PRUNE_BATCH, PRUNE_JOB, pruneThrottleRows } from './login-throttle.ts';
import { addUser, TEST_PASSWORD } from './testing.ts';

/** The defaults: a window of 900 s, locks of 900 s, 5 failures an account, 20 an address. */
const settings = loadIdentitySettings({});
const SECOND = 1000;

const login = (t: TestApp, username: string, password: string, ip: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress: ip,
  });

/** Which of `keys` still have a throttle row. */
async function present(t: TestApp, keys: string[]): Promise<string[]> {
  const rows = await t.kernel.db
    .selectFrom('identity_login_throttle')
    .select('key')
    .where('key', 'in', keys)
    .orderBy('key')
    .execute();
  return rows.map((r) => r.key);
}

async function insertRow(t: TestApp, key: string, windowStart: Date, lockedUntil: Date | null) {
  await t.kernel.db
    .insertInto('identity_login_throttle')
    .values({ key, failures: 5, window_start: windowStart, locked_until: lockedUntil })
    .execute();
}

for (const backend of testBackends()) {
  describe(`login throttle pruning (${backend})`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(backend, { capabilities: [createIdentityCapability(), auditCapability] });
      await addUser(t, 'carol', ['auditor']);
    });
    after(() => t.dispose());

    test('a prune deletes rows past their window and lock, and keeps live locks, slow-downs and windows', async () => {
      const now = t.clock.now();
      const ago = (s: number) => new Date(now.getTime() - s * SECOND);
      const gone = ['account:ghost-window-passed', 'account:ghost-lock-ran-out', 'address:10.8.0.1'];
      const kept = [
        'account:ghost-locked',
        'address:10.8.0.2',
        'account:ghost-in-window',
        'known:10.8.0.3 ghost-lock-ran-out-in-window',
      ];
      await insertRow(t, gone[0], ago(900), null); // the window ends now: the next claim starts at 1
      await insertRow(t, gone[1], ago(2000), now); // the lock ends now
      await insertRow(t, gone[2], ago(901), ago(890)); // a slow-down long over, a quiet window
      await insertRow(t, kept[0], ago(2000), new Date(now.getTime() + SECOND)); // locked a second more
      await insertRow(t, kept[1], ago(1000), new Date(now.getTime() + 30 * SECOND)); // slowed 30 s more
      await insertRow(t, kept[2], ago(899), null); // its failures count a second more
      // The lock ran out but the window has not passed: an account would start again, an
      // address would not; the prune waits for both, so one rule fits every kind of row.
      await insertRow(t, kept[3], ago(899), ago(1));

      // Bounded: a pass deletes at most its limit.
      assert.equal(await pruneThrottleRows(t.kernel.db, settings, now, 2), 2);
      assert.equal(await pruneThrottleRows(t.kernel.db, settings, now, 2), 1);
      assert.equal(await pruneThrottleRows(t.kernel.db, settings, now, 2), 0);
      assert.deepEqual(await present(t, [...gone, ...kept]), [...kept].sort());
    });

    test('login answers as before across prunes: live locks and counts hold, expired ones start again', async () => {
      const t0 = t.clock.now().getTime();
      const at = (s: number) => t.clock.set(new Date(t0 + s * SECOND));
      const prune = () => pruneThrottleRows(t.kernel.db, settings, t.clock.now());
      // At 0 s an unknown username fails once; carol fails 5 times from 0 to 4 s and is locked until 904 s.
      assert.equal((await login(t, 'nobody1', 'Wrong-pass-1x', '10.9.0.2')).statusCode, 401);
      for (let i = 0; i < 5; i++) {
        at(i);
        assert.equal((await login(t, 'carol', `Wrong-pass-${i}x`, '10.9.0.1')).statusCode, 401);
      }
      at(200);
      assert.equal((await login(t, 'nobody2', 'Wrong-pass-1x', '10.9.0.3')).statusCode, 401);

      at(900);
      await prune();
      assert.deepEqual(
        await present(t, [
          'account:nobody1',
          'address:10.9.0.2',
          'account:carol',
          'address:10.9.0.1',
          'account:nobody2',
          'address:10.9.0.3',
        ]),
        ['account:carol', 'account:nobody2', 'address:10.9.0.1', 'address:10.9.0.3'],
      );
      // carol's window passed but her lock has 4 s to run.
      const locked = await login(t, 'carol', TEST_PASSWORD, '10.9.0.9');
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().code, 'auth.locked_out');
      assert.equal(locked.headers['retry-after'], '4');
      // nobody2's failure at 200 s still counts: 4 more lock the account.
      for (let i = 0; i < 4; i++)
        assert.equal((await login(t, 'nobody2', `Wrong-pass-${i}y`, '10.9.0.4')).statusCode, 401);
      assert.equal((await login(t, 'nobody2', 'Wrong-pass-9y', '10.9.0.4')).json().code, 'auth.locked_out');
      // nobody1's count starts again, as it would have with its row: the fifth failure locks.
      for (let i = 0; i < 4; i++)
        assert.equal((await login(t, 'nobody1', `Wrong-pass-${i}z`, '10.9.0.5')).statusCode, 401);
      assert.equal((await login(t, 'nobody1', 'Wrong-pass-9z', '10.9.0.5')).statusCode, 401);
      assert.equal((await login(t, 'nobody1', 'Wrong-pass-9z', '10.9.0.5')).json().code, 'auth.locked_out');

      at(904);
      await prune();
      assert.deepEqual(await present(t, ['account:carol', 'address:10.9.0.1']), []);
      assert.equal((await login(t, 'carol', TEST_PASSWORD, '10.9.0.9')).statusCode, 200);
    });

    test('the scheduled job prunes in batches until no expired row is left, then waits 10 minutes', async () => {
      t.clock.advance(3600 * SECOND);
      const now = t.clock.now();
      const spray = PRUNE_BATCH * 2 + 500;
      await sql`
        insert into identity_login_throttle (key, failures, window_start, locked_until)
        select 'account:spray-' || g, 1, ${new Date(now.getTime() - 901 * SECOND)}, null
        from generate_series(1, ${spray}::int) g`.execute(t.kernel.db);
      await insertRow(t, 'account:still-counting', now, null);
      const doneBefore = await jobs('done');

      // Each job one batch in its own transaction: two full ones, then the rest.
      // The kernel's own jobs (the scheduler's pruning) may fall due in the same hour.
      await t.kernel.scheduler.runDue();
      assert.equal((await jobs('done')).length - doneBefore.length, 3);
      const count = await t.kernel.db
        .selectFrom('identity_login_throttle')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('key', 'like', 'account:spray-%')
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0);
      assert.deepEqual(await present(t, ['account:still-counting']), ['account:still-counting']);
      const pending = await jobs('pending');
      assert.equal(pending.length, 1, 'one chain');
      assert.equal(new Date(pending[0].run_at).getTime(), now.getTime() + 600 * SECOND);
      assert.equal(await t.kernel.scheduler.runDue(), 0);
    });

    async function jobs(status: 'pending' | 'done') {
      return t.kernel.db
        .selectFrom('kernel_job')
        .select(['key', 'run_at'])
        .where('kind', '=', PRUNE_JOB)
        .where('status', '=', status)
        .execute();
    }
  });
}
