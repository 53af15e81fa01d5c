#!/usr/bin/env node
// Runs every *.test.ts under src/, modules/ and test/ with node:test (through tsx), prints
// the spec report and ends with the line "N passed, N failed". Pass paths to run fewer.
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
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/summary-reporter.mjs',
    '--test-reporter-destination=stdout',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', ...(schemaLog ? { ONECITY_TEST_SCHEMA_LOG: schemaLog } : {}) },
  },
);
child.on('exit', async (code, signal) => {
  await dropTestSchemas();
  process.exit(code ?? (signal ? 1 : 0));
});
