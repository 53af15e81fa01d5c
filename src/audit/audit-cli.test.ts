import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { buildApp } from '../app.ts';
import { TEST_ADMIN_PASSWORD } from '../identity/testing.ts';
import { createLogger, type Db, loadConfig, ManualClock, openStorage } from '../kernel/index.ts';
import { spawnForTest, within } from '../../test/support/processes.ts';
import { appendAudit } from './index.ts';

const BIN = fileURLToPath(new URL('../../bin/onecity.mjs', import.meta.url));

function runCli(
  t: TestContext,
  args: string[],
  dataDir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !['DATABASE_URL', 'ONECITY_CONFIG'].includes(k)) env[k] = v;
  Object.assign(env, { DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const run = spawnForTest(t, process.execPath, [BIN, ...args], { cwd: dataDir, env });
  return within(run.exited, 120_000, `exit of onecity ${args.join(' ')}`).then(({ code }) => ({
    code: code ?? 1,
    stdout: run.stdout(),
    stderr: run.stderr(),
  }));
}

/** Copies the pristine data directory, tampers with the copy through its own handle, closes it. */
async function tamperedCopy(pristine: string, change: (db: Db) => Promise<void>): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'onecity-audit-'));
  cpSync(pristine, dir, { recursive: true });
  const storage = await openStorage({ dataDir: dir });
  try {
    await sql`alter table audit_record disable trigger user`.execute(storage.db);
    await change(storage.db);
    await sql`alter table audit_record enable trigger user`.execute(storage.db);
  } finally {
    await storage.close();
  }
  return dir;
}

describe('onecity audit verify', () => {
  const dirs: string[] = [];
  let pristine: string;
  before(async () => {
    pristine = mkdtempSync(path.join(tmpdir(), 'onecity-audit-'));
    dirs.push(pristine);
    process.env.ONECITY_ADMIN_PASSWORD = TEST_ADMIN_PASSWORD;
    const config = loadConfig({
      env: { DATA_DIR: pristine, LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false' },
      file: null,
    });
    const clock = new ManualClock('2026-03-02T01:00:00Z');
    const built = await buildApp({ config, clock, logger: createLogger(config), background: false });
    try {
      for (let i = 0; i < 6; i++)
        await appendAudit(built.kernel.db, {
          actor: 'tester',
          action: 'thing.change',
          objectType: 'thing',
          objectId: `t${i}`,
          after: { i },
          at: clock.now(),
        });
    } finally {
      await built.close();
    }
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('exits 0 on an intact chain and prints the head', async (t) => {
    const res = await runCli(t, ['audit', 'verify'], pristine);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Audit chain intact: \d+ record\(s\), head \d+:[0-9a-f]{64}/);
    const head = await runCli(t, ['audit', 'head'], pristine);
    assert.match(head.stdout.trim(), /^\d+:[0-9a-f]{64}$/);
  });

  const cases: [string, (db: Db) => Promise<void>, number][] = [
    [
      'an edited row',
      async (db) => void (await sql`update audit_record set actor = 'mallory' where seq = 3`.execute(db)),
      3,
    ],
    ['a deleted row', async (db) => void (await sql`delete from audit_record where seq = 4`.execute(db)), 4],
    [
      'swapped rows',
      async (db) => {
        await sql`update audit_record set seq = -2 where seq = 2`.execute(db);
        await sql`update audit_record set seq = 2 where seq = 5`.execute(db);
        await sql`update audit_record set seq = 5 where seq = -2`.execute(db);
      },
      2,
    ],
    [
      'an inserted row',
      async (db) => {
        await sql`update audit_record set seq = seq + 1000 where seq >= 3`.execute(db);
        await sql`update audit_record set seq = seq - 999 where seq >= 1000`.execute(db);
        await sql`insert into audit_record (seq, at, actor, action, object_type, object_id, prev_hash, hash)
          select 3, at, 'mallory', 'user.create', 'user', 'forged', hash, ${'a'.repeat(64)} from audit_record where seq = 2`.execute(
          db,
        );
      },
      3,
    ],
  ];
  for (const [name, change, badSeq] of cases)
    test(`exits non-zero naming the first bad record after ${name}`, async (t) => {
      const dir = await tamperedCopy(pristine, change);
      dirs.push(dir);
      const res = await runCli(t, ['audit', 'verify'], dir);
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr, new RegExp(`BROKEN at record ${badSeq}:`));
    });

  test('a malformed anchor is a usage error', async (t) => {
    const res = await runCli(t, ['audit', 'verify', '--anchor', 'nope'], pristine);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--anchor must be SEQ:HASH/);
  });
});
