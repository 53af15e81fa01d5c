/**
 * `onecity start` that cannot serve exits by itself, non-zero, with one line saying why, and
 * leaves the data directory unlocked: a supervisor must never see a live process that does
 * not listen. Each case runs the real command line; the deadline only bounds the wait.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { patience, spawnForTest } from '../support/processes.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/onecity.mjs');
/** How long a failing start may take to exit on a loaded machine before the test gives up. */
const EXIT_DEADLINE_MS = 90_000;

interface Failure {
  code: number | null;
  stderr: string;
  dataDir: string;
}

/** Runs `onecity start` in a fresh directory (with `configFile` as its onecity.config.json). */
async function failingStart(
  t: TestContext,
  env: Record<string, string>,
  options: { configFile?: unknown; prepare?: (dataDir: string) => void } = {},
): Promise<Failure> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'onecity-start-fail-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const dataDir = path.join(cwd, 'data');
  if (options.configFile !== undefined)
    writeFileSync(path.join(cwd, 'onecity.config.json'), JSON.stringify(options.configFile));
  options.prepare?.(dataDir);
  // The file is ./onecity.config.json only while ONECITY_CONFIG is unset (not merely empty).
  const { ONECITY_CONFIG: _, ...inherited } = process.env;
  const run = spawnForTest(t, process.execPath, [BIN, 'start'], {
    cwd,
    env: {
      ...inherited,
      DATABASE_URL: '',
      NATS_URL: '',
      MQTT_URL: '',
      PORT: '0',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      ONECITY_SEED_DEMO: 'false',
      DATA_DIR: dataDir,
      ...env,
    },
  });
  const late = new Promise<'late'>((resolve) => {
    const timer = setTimeout(() => resolve('late'), patience(EXIT_DEADLINE_MS));
    void run.exited.then(() => clearTimeout(timer));
  });
  const outcome = await Promise.race([run.exited, late]);
  assert.notEqual(
    outcome,
    'late',
    `still running ${patience(EXIT_DEADLINE_MS)} ms after a start that cannot serve:\n${run.stderr()}`,
  );
  const { code } = await run.exited;
  return { code, stderr: run.stderr(), dataDir };
}

/** The one line the command printed, after asserting there is exactly one. */
function reason(failure: Failure): string {
  const lines = failure.stderr.trim().split('\n');
  assert.equal(lines.length, 1, failure.stderr);
  return lines[0];
}

const lockOf = (dataDir: string) => path.join(dataDir, 'onecity.lock');

describe('onecity start that cannot serve exits non-zero at once', () => {
  it('an invalid environment setting names the key', async (t) => {
    const failure = await failingStart(t, { PORT: 'eighty' });
    assert.equal(failure.code, 1);
    assert.match(reason(failure), /^onecity start: Invalid configuration PORT: /);
    assert.equal(existsSync(lockOf(failure.dataDir)), false);
  });

  it('an unknown key in onecity.config.json names the key and the file', async (t) => {
    const failure = await failingStart(t, {}, { configFile: { PORT: 8080, PROT: 8081 } });
    assert.equal(failure.code, 1);
    assert.match(
      reason(failure),
      /^onecity start: Invalid configuration PROT: is not a known configuration key \(in onecity\.config\.json\)/,
    );
  });

  it('an invalid value in onecity.config.json names the key', async (t) => {
    const failure = await failingStart(t, {}, { configFile: { SHUTDOWN_TIMEOUT_SECONDS: 'soon' } });
    assert.equal(failure.code, 1);
    assert.match(reason(failure), /^onecity start: Invalid configuration SHUTDOWN_TIMEOUT_SECONDS: /);
  });

  it('a setting no capability reads names it', async (t) => {
    const failure = await failingStart(
      t,
      {},
      { configFile: { settings: { OPEN311_INTAKE_MOOD: 'queued' } } },
    );
    assert.equal(failure.code, 1);
    assert.match(reason(failure), /^onecity start: Invalid configuration settings\.OPEN311_INTAKE_MOOD: /);
  });

  it('an invalid capability setting (checked once storage is open) names it and unlocks DATA_DIR', async (t) => {
    const failure = await failingStart(t, { OPEN311_INTAKE_MODE: 'eventually' });
    assert.equal(failure.code, 1);
    assert.match(reason(failure), /^onecity start: Invalid configuration OPEN311_INTAKE_MODE: /);
    assert.equal(existsSync(lockOf(failure.dataDir)), false, 'the lock file was left behind');
  });

  it('a DATA_DIR locked by another live process is refused, and its lock left alone', async (t) => {
    // The holder: any live process whose pid is in the lock file.
    const holder = spawnForTest(t, process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const holderPid = String(holder.child.pid);
    const failure = await failingStart(
      t,
      {},
      {
        prepare: (dataDir) => {
          mkdirSync(dataDir, { recursive: true });
          writeFileSync(lockOf(dataDir), holderPid);
        },
      },
    );
    assert.equal(failure.code, 1);
    assert.match(
      reason(failure),
      /^onecity start: DATA_DIR .* is in use by another OneCity process \(pid \d+\)/,
    );
    assert.equal(readFileSync(lockOf(failure.dataDir), 'utf8'), holderPid);
  });

  it('a port in use is named, and DATA_DIR is unlocked', async (t) => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => occupant.close(() => resolve())));
    const { port } = occupant.address() as { port: number };
    const failure = await failingStart(t, { PORT: String(port), HOST: '127.0.0.1' });
    assert.equal(failure.code, 1);
    assert.equal(
      reason(failure),
      `onecity start: cannot listen on 127.0.0.1:${port}: the port is in use (set PORT or HOST)`,
    );
    assert.equal(existsSync(lockOf(failure.dataDir)), false, 'the lock file was left behind');
  });

  it('an unreachable database is named by its redacted DATABASE_URL', async (t) => {
    // Nothing listens on port 1: the connection is refused at once.
    const failure = await failingStart(t, { DATABASE_URL: 'postgres://onecity:secret@127.0.0.1:1/onecity' });
    assert.equal(failure.code, 1);
    const line = reason(failure);
    assert.match(
      line,
      /^onecity start: DATABASE_URL postgres:\/\/onecity:\S*@127\.0\.0\.1:1\/onecity: cannot connect: /,
    );
    assert.doesNotMatch(line, /secret/);
  });
});
