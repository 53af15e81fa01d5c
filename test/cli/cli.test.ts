import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { commands } from '../../src/cli/main.ts';
import { patience } from '../support/processes.ts';

const root = path.resolve(import.meta.dirname, '../..');
const onecity = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/onecity.mjs', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: patience(300_000),
  });

describe('onecity command line', () => {
  it('lists every command in --help', () => {
    const r = onecity(['--help']);
    assert.equal(r.status, 0);
    for (const c of commands) assert.match(r.stdout, new RegExp(`\\b${c.name}\\b`));
  });

  for (const c of commands) {
    it(`${c.name} --help prints usage and exits 0`, () => {
      const r = onecity([c.name, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Usage: onecity /);
      assert.match(r.stdout, /--help/);
    });
  }

  it('simulate prints only its JSON summary on stdout; the generated admin password goes to stderr', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-simulate-'));
    const r = onecity(['simulate', '--days', '1', '--seed', '3', '--rate', '20'], {
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      ONECITY_ADMIN_PASSWORD: '',
    });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(typeof summary, 'object');
    assert.match(r.stderr, /created the "admin" user with the generated password/);
    assert.doesNotMatch(r.stdout, /password/);
  });

  it('exits non-zero with one line for an unknown command', () => {
    const r = onecity(['frobnicate']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  it('exits non-zero with one line for an unknown option', () => {
    const r = onecity(['migrate', '--colour']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^onecity migrate: unknown option --colour/);
  });

  it('exits non-zero naming the key when configuration is invalid', () => {
    const r = onecity(['migrate'], { PORT: 'eighty' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^onecity migrate: Invalid configuration PORT/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('migrate applies migrations once, then reports the database up to date', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-cli-'));
    const first = onecity(['migrate'], { DATA_DIR: dataDir });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /Applied \d+ migration/);
    const second = onecity(['migrate'], { DATA_DIR: dataDir });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /up to date/);
  });

  it('modules list shows the shipped plates', () => {
    const r = onecity(['modules', 'list', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ id: string; categories: number }>;
    const ids = rows.map((m) => m.id);
    assert.ok(ids.includes('city-management'), ids.join(','));
    assert.ok(ids.includes('environment'), ids.join(','));
    for (const m of rows) assert.ok(m.categories > 0, `${m.id} has categories`);
  });
});
