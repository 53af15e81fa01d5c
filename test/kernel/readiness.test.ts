/**
 * Liveness and readiness: `/healthz` answers while the process lives; `/readyz` answers 200
 * only when the database is reachable and every migration is applied.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { type Backend, testBackends } from '../support/storage.ts';

for (const backend of testBackends()) {
  describe(`readiness on ${backend}`, () => {
    let built: TestApp;
    before(async () => {
      built = await buildTestApp(backend as Backend, { migrate: false });
    });
    after(() => built?.dispose());

    const get = async (url: string) => {
      const res = await built.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    };

    test('before migrations: /healthz 200, /readyz 503 listing the pending migrations', async () => {
      assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
      const ready = await get('/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.status, 'unavailable');
      assert.equal(ready.body.reason, 'migrations pending');
      const pending = ready.body.pendingMigrations as string[];
      assert.ok(pending.includes('0001-kernel-jobs'), `pending: ${pending.join(', ')}`);
      assert.deepEqual(pending, [...pending].sort(), 'listed in the order they will run');
    });

    test('after migrate(): /readyz 200 and /healthz still 200', async () => {
      const applied = await built.migrate();
      assert.ok(applied.includes('0001-kernel-jobs'));
      assert.deepEqual(await get('/readyz'), { status: 200, body: { status: 'ok' } });
      assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
      assert.deepEqual(await built.migrate(), [], 'a second migrate applies nothing');
    });

    test('database gone: /readyz 503, /healthz still 200', async () => {
      await built.kernel.storage.close();
      const ready = await get('/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.reason, 'database unreachable');
      assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
    });
  });
}
