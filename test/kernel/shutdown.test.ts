import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; got:\n${buffer}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = buffer.match(pattern);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited early with ${code}:\n${buffer}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; ms: number }>((resolve) => {
    const t0 = Date.now();
    child.once('exit', (code) => resolve({ code, ms: Date.now() - t0 }));
  });

describe('graceful shutdown', () => {
  it('drains an in-flight request on SIGTERM, then exits 0 within 10 s', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-shutdown-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/slow-server.ts'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [, url] = await waitForLine(child, /LISTENING (\S+)/, 30_000);
    const inFlight = fetch(`${url}/test/slow`);
    await new Promise((r) => setTimeout(r, 300));
    const exit = exited(child);
    child.kill('SIGTERM');
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { finished: true });
    const { code, ms } = await exit;
    assert.equal(code, 0);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`onecity start serves /healthz on an empty DATA_DIR and stops on ${signal} with exit 0`, async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-start-'));
      const child = spawn(process.execPath, ['bin/onecity.mjs', 'start', '--port', '0', '--no-seed'], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_PRETTY: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [, url] = await waitForLine(child, /OneCity listening on (http:\/\/[^"\s]+)/, 30_000);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const exit = exited(child);
      child.kill(signal);
      const { code, ms } = await exit;
      assert.equal(code, 0);
      assert.ok(ms < 10_000, `took ${ms} ms`);
    });
  }
});
