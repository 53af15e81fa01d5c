import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { patience, spawnForTest, within } from '../support/processes.ts';

const root = path.resolve(import.meta.dirname, '../..');
/** Time the servers get to drain: generous, so a loaded machine does not turn 0 into 1. */
const SHUTDOWN_SECONDS = String(Math.ceil(patience(60_000) / 1000));

// Exit code 0 is the proof the drain finished in time: past SHUTDOWN_TIMEOUT_SECONDS the
// server exits 1. How fast that was is not asserted here (speed belongs in bench/).
describe('graceful shutdown', () => {
  it('drains an in-flight request on SIGTERM, then exits 0', async (t) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-shutdown-'));
    const server = spawnForTest(t, process.execPath, ['--import', 'tsx', 'test/support/slow-server.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT_SECONDS: SHUTDOWN_SECONDS,
      },
    });
    const [, url] = await server.waitForOutput(/LISTENING (\S+)/, 120_000);
    const inFlight = fetch(`${url}/test/slow`);
    inFlight.catch(() => {}); // Awaited below; a failure must not end the file meanwhile.
    await server.waitForOutput(/IN FLIGHT/, 60_000);
    server.child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { finished: true });
    const { code } = await within(server.exited, 90_000, 'exit after SIGTERM');
    assert.equal(code, 0, server.stderr());
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`onecity start serves /healthz on an empty DATA_DIR and stops on ${signal} with exit 0`, async (t) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-start-'));
      const server = spawnForTest(
        t,
        process.execPath,
        ['bin/onecity.mjs', 'start', '--port', '0', '--no-seed'],
        {
          cwd: root,
          env: {
            ...process.env,
            DATA_DIR: dataDir,
            LOG_LEVEL: 'info',
            LOG_PRETTY: 'false',
            SHUTDOWN_TIMEOUT_SECONDS: SHUTDOWN_SECONDS,
          },
        },
      );
      const [, url] = await server.waitForOutput(/OneCity listening on (http:\/\/[^"\s]+)/, 120_000);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      server.child.kill(signal);
      const { code } = await within(server.exited, 90_000, `exit after ${signal}`);
      assert.equal(code, 0, server.stderr());
    });
  }
});
