#!/usr/bin/env node
// Runs every *.test.ts under src/, modules/ and test/ with node:test (through tsx), prints
// the spec report and ends with the line "N passed, N failed". Pass paths to run fewer.
//
// A file that runs longer than TEST_FILE_TIMEOUT_SECONDS (default 1200, times
// TEST_TIME_SCALE) is stopped and counted as failed, so the run always ends. The tests run
// in a process group of their own; when they end, and on SIGINT/SIGTERM, whatever is left
// of it, and every process group a test spawned (test/support/processes.ts lists them in
// ONECITY_TEST_PROCESS_DIR), is killed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'modules', 'test', 'bench'];
const files = [];
const walk = (p) => {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    if (path.basename(p) === 'node_modules') return;
    for (const e of readdirSync(p).sort()) walk(path.join(p, e));
  } else if (p.endsWith('.test.ts')) files.push(p);
};
for (const r of roots) walk(r);
if (files.length === 0) {
  console.log('No test files found.\n0 passed, 0 failed');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const timeScale = Math.max(1, Number(process.env.TEST_TIME_SCALE) || 1);
const fileTimeoutMs = Math.round((Number(process.env.TEST_FILE_TIMEOUT_SECONDS) || 1200) * 1000 * timeScale);
const processDir = mkdtempSync(path.join(tmpdir(), 'onecity-test-processes-'));
// PostgreSQL test schemas are dropped once every file has run (test/support/storage.ts says
// why); the files list them here.
const schemaDir = process.env.TEST_DATABASE_URL
  ? mkdtempSync(path.join(tmpdir(), 'onecity-test-schemas-'))
  : null;
const schemaLog = schemaDir ? path.join(schemaDir, 'schemas') : null;

async function dropTestSchemas() {
  if (!schemaLog) return;
  let names = [];
  try {
    names = readFileSync(schemaLog, 'utf8')
      .split('\n')
      .filter((n) => /^t_[0-9a-f]+$/.test(n));
  } catch {
    // No file wrote a schema.
  }
  if (names.length > 0) {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    try {
      await client.connect();
      for (const name of names) await client.query(`drop schema if exists ${name} cascade`);
    } catch (e) {
      console.error(`Could not drop the test schemas: ${e.message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  rmSync(schemaDir, { recursive: true, force: true });
}
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${fileTimeoutMs}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/summary-reporter.mjs',
    '--test-reporter-destination=stdout',
    ...files,
  ],
  {
    stdio: 'inherit',
    detached: true,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      ONECITY_TEST_PROCESS_DIR: processDir,
      ...(schemaLog ? { ONECITY_TEST_SCHEMA_LOG: schemaLog } : {}),
    },
  },
);

const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

/** Kills what the tests left running; says so on stderr (stdout ends with the summary). */
async function killLeftovers() {
  const groups = new Map([[child.pid, "(the test processes' own group)"]]);
  for (const name of readdirSync(processDir))
    if (/^\d+$/.test(name))
      groups.set(Number(name), readFileSync(path.join(processDir, name), 'utf8').trim());
  // A process killed a moment ago stays visible until its parent or init reaps it.
  for (let i = 0; i < 20 && [...groups.keys()].some(groupAlive); i++)
    await new Promise((r) => setTimeout(r, 100));
  const left = [];
  for (const [pgid, what] of groups) {
    if (!groupAlive(pgid)) continue;
    left.push(`${pgid} ${what}`);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  rmSync(processDir, { recursive: true, force: true });
  if (left.length > 0)
    console.error(`Killed ${left.length} process group(s) the tests left running:\n  ${left.join('\n  ')}`);
}

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  await killLeftovers();
  await dropTestSchemas();
  process.exit(code);
}

let interrupted = null;
child.on('exit', (code, signal) => finish(interrupted ?? code ?? (signal ? 1 : 0)));

// Ctrl-C or a supervisor: the test files get SIGTERM (they stop what they spawned), then
// whatever is left is killed.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    interrupted = signal === 'SIGINT' ? 130 : 143;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    setTimeout(() => finish(interrupted), 10_000).unref();
  });
}
