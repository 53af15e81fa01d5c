/**
 * Crash test: a real server process on an embedded DATA_DIR takes batches from several
 * concurrent senders and is killed with SIGKILL mid-run. After a restart on the same
 * DATA_DIR, every batch that was answered 200 is already stored: resending it yields only
 * duplicates.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, type TestContext, test } from 'node:test';
import { patience, spawnForTest, type TestProcess, within } from '../support/processes.ts';

interface Server {
  process: TestProcess;
  child: ChildProcess;
  address: string;
  deviceKey: string;
}

function startServer(t: TestContext, dataDir: string): Promise<Server> {
  const server = spawnForTest(
    t,
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'ingest-server.ts')],
    {
      env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', MQTT_URL: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const { child } = server;
  const listening = new Promise<Server>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    // Logs share stdout; the server's own line is the one with an address.
    lines.on('line', (line) => {
      let parsed: { address?: string; deviceKey?: string };
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (parsed.address && parsed.deviceKey)
        resolve({ process: server, child, address: parsed.address, deviceKey: parsed.deviceKey });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it listened`)));
  });
  return within(listening, 120_000, 'listening server');
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

describe('crash safety of HTTP ingestion (embedded database)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onecity-crash-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('after kill -9 and a restart every acknowledged observation is present', {
    timeout: patience(300_000),
  }, async (t) => {
    const first = await startServer(t, dataDir);
    const base = Date.now() - 7 * 86_400_000;
    let seq = 0;
    const nextBatch = (n: number) =>
      Array.from({ length: n }, () => {
        const i = seq++;
        return {
          property: i % 2 ? 'laeq_night' : 'laeq',
          time: new Date(base + i * 1000).toISOString(),
          value: 40 + (i % 30),
        };
      });
    const acknowledged: unknown[][] = [];
    let stop = false;
    const sender = async () => {
      while (!stop) {
        const batch = nextBatch(500);
        try {
          const res = await fetch(`${first.address}/api/v1/observations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': first.deviceKey },
            body: JSON.stringify(batch),
          });
          if (res.status === 200) {
            const report = (await res.json()) as { accepted: number };
            assert.equal(report.accepted, 500);
            acknowledged.push(batch);
          } else await res.arrayBuffer();
        } catch {
          return; // the server is gone
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    // Kill once a good number of batches were acknowledged, with others in flight.
    const deadline = Date.now() + patience(120_000);
    while (acknowledged.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(senders);
    await exited(first.child);
    assert.ok(acknowledged.length >= 20, `only ${acknowledged.length} batches were acknowledged`);

    const second = await startServer(t, dataDir);
    try {
      let duplicates = 0;
      let accepted = 0;
      for (const batch of acknowledged) {
        const res = await fetch(`${second.address}/api/v1/observations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': second.deviceKey },
          body: JSON.stringify(batch),
        });
        assert.equal(res.status, 200);
        const report = (await res.json()) as { accepted: number; duplicates: number };
        duplicates += report.duplicates;
        accepted += report.accepted;
      }
      assert.equal(accepted, 0, 'an acknowledged observation was missing after the crash');
      assert.equal(duplicates, acknowledged.length * 500);
    } finally {
      await second.process.stop();
    }
  });
});
