/**
 * The embedded database's autovacuum: thresholds, one pass on a real PGlite (dead rows
 * reclaimed, statistics taken, the planner's estimates right), checkpoints that keep the
 * write-ahead log from growing, and the timer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CHECKPOINT_LIMITS,
  checkpointNeeded,
  maintainWal,
  maintenanceNeeded,
  startMaintenance,
  type TableActivity,
} from './embedded-maintenance.ts';
import { patience } from '../../../test/support/processes.ts';
import { type MaintenanceOutcome, maintainTables, openStorage, type Storage } from './index.ts';

describe('embedded maintenance: thresholds (PostgreSQL autovacuum defaults)', () => {
  const t = (
    reltuples: number,
    n_dead_tup: number,
    n_mod_since_analyze: number,
    more: Partial<TableActivity> = {},
  ): TableActivity => ({
    table: 'x',
    reltuples,
    n_dead_tup,
    n_mod_since_analyze,
    n_ins_since_vacuum: 0,
    xid_age: 1000,
    ...more,
  });
  const analyze = { table: 'x', vacuum: false, freeze: false };
  const vacuum = { table: 'x', vacuum: true, freeze: false };
  test('a table never analyzed (reltuples -1) counts as empty: 51 changed rows call for analysis', () => {
    assert.deepEqual(maintenanceNeeded([t(-1, 0, 50)]), []);
    assert.deepEqual(maintenanceNeeded([t(-1, 0, 51)]), [analyze]);
  });
  test('analysis past 50 + 10 % of the rows; vacuum past 50 + 20 % dead rows', () => {
    assert.deepEqual(maintenanceNeeded([t(1000, 250, 150)]), []);
    assert.deepEqual(maintenanceNeeded([t(1000, 250, 151)]), [analyze]);
    assert.deepEqual(maintenanceNeeded([t(1000, 251, 0)]), [vacuum]);
  });
  test('an insert-only table is vacuumed past 1,000 + 20 % inserted rows', () => {
    assert.deepEqual(maintenanceNeeded([t(10_000, 0, 0, { n_ins_since_vacuum: 3000 })]), []);
    assert.deepEqual(maintenanceNeeded([t(10_000, 0, 0, { n_ins_since_vacuum: 3001 })]), [vacuum]);
  });
  test('a table whose oldest transaction id is over 200 million old is frozen, before anything else', () => {
    const tables = [t(100, 700, 0, { table: 'dead' }), t(100, 0, 0, { table: 'old', xid_age: 200_000_001 })];
    assert.deepEqual(maintenanceNeeded(tables), [
      { table: 'old', vacuum: true, freeze: true },
      { table: 'dead', vacuum: true, freeze: false },
    ]);
  });
  test('the table furthest past its threshold comes first', () => {
    const tables = [
      t(1000, 0, 200, { table: 'a' }), // 1.3 × its threshold
      t(0, 0, 10, { table: 'b' }), // below
      t(100, 700, 0, { table: 'c' }), // 10 ×
      t(10_000, 0, 3000, { table: 'd' }), // 2.9 ×
    ];
    assert.deepEqual(
      maintenanceNeeded(tables).map((n) => n.table),
      ['c', 'd', 'a'],
    );
  });
});

describe('embedded maintenance: checkpoints', () => {
  test("PostgreSQL's defaults: after 512 MB of log, or after 5 minutes with anything written", () => {
    const { walBytes, seconds } = CHECKPOINT_LIMITS;
    assert.deepEqual([walBytes, seconds], [512 * 2 ** 20, 300]);
    assert.equal(checkpointNeeded(walBytes - 1, 10), false);
    assert.equal(checkpointNeeded(walBytes, 10), true);
    assert.equal(checkpointNeeded(50_000, seconds - 1), false);
    assert.equal(checkpointNeeded(50_000, seconds), true);
    // The last checkpoint's own record is not a reason for another one.
    assert.equal(checkpointNeeded(208, 10 * seconds), false);
  });

  test('on a PGlite data directory, pg_wal stops growing once checkpoints are taken', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onecity-wal-'));
    const storage = await openStorage({ dataDir: dir, maintenanceSeconds: 0 });
    const walDir = readdirSync(dir, { recursive: true, withFileTypes: true }).find(
      (e) => e.name === 'pg_wal',
    );
    assert.ok(walDir, 'pg_wal not found in the data directory');
    const walBytes = () => {
      const at = path.join(walDir.parentPath, 'pg_wal');
      return readdirSync(at)
        .map((f) => statSync(path.join(at, f)))
        .filter((f) => f.isFile())
        .reduce((sum, f) => sum + f.size, 0);
    };
    try {
      const db = storage.db;
      await sql`create table wal_probe (id serial primary key, v text not null)`.execute(db);
      // About 40 MB of log per round.
      const round = () =>
        sql`insert into wal_probe (v) select repeat('w', 200) from generate_series(1, 120000)`.execute(db);
      const sizes: number[] = [];
      for (let r = 0; r < 3; r++) {
        await round();
        sizes.push(walBytes());
      }
      // Without checkpoints every round adds its log.
      assert.ok(sizes[2] - sizes[0] >= 60 * 2 ** 20, `pg_wal without checkpoints: ${sizes}`);
      // Limits scaled down so that a few rounds cross them (the defaults need a gigabyte).
      const limits = { walBytes: 64 * 2 ** 20, seconds: 300 };
      let taken = 0;
      const after: number[] = [];
      for (let r = 0; r < 6; r++) {
        await round();
        if (await maintainWal(db, limits)) taken++;
        after.push(walBytes());
      }
      assert.ok(taken >= 2, `checkpoints taken: ${taken}`);
      // With them, the old segments are recycled: after the first, five more rounds (some
      // 200 MB of log) add nothing.
      assert.ok(after[5] <= after[0], `pg_wal with checkpoints: ${after} (before: ${sizes})`);
      assert.equal(
        (await sql<{ n: number }>`select count(*)::int as n from wal_probe`.execute(db)).rows[0].n,
        9 * 120000,
      );
      // Nothing written since the last checkpoint: none is taken.
      if (!(await maintainWal(db, limits))) await sql`checkpoint`.execute(db);
      assert.equal(await maintainWal(db, limits), false);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded maintenance on PGlite', () => {
  let storage: Storage;
  const passes: MaintenanceOutcome[] = [];
  before(async () => {
    storage = await openStorage({ dataDir: null, maintenanceSeconds: 0 });
  });
  after(async () => {
    await storage.close();
  });

  /** The planner's estimate of the rows matching 50 keys. */
  const estimateFor = async (ids: number[]) => {
    const { rows } = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>`
      explain (format json) select * from maint_probe where k = any(${ids}::int[])`.execute(storage.db);
    return rows[0]['QUERY PLAN'][0].Plan['Plan Rows'];
  };

  test("a pass vacuums and analyzes a changed table, and the planner's estimates become right", async () => {
    const db = storage.db;
    await sql`create table maint_probe (id serial primary key, k int not null, v text not null)`.execute(db);
    await sql`create index maint_probe_k on maint_probe (k)`.execute(db);
    await sql`insert into maint_probe (k, v) select g, repeat('x', 200) from generate_series(1, 5000) g`.execute(
      db,
    );
    await sql`update maint_probe set v = repeat('y', 200) where k <= 2000`.execute(db);
    const ids = Array.from({ length: 50 }, (_, i) => i * 97 + 1);
    // Without statistics the planner guesses that a quarter of the table matches 50 keys.
    const guessed = await estimateFor(ids);
    assert.ok(guessed > 1000, `estimate before: ${guessed}`);

    const report = await maintainTables(db);
    assert.ok(report.vacuumed.includes('maint_probe'), JSON.stringify(report));
    assert.ok(report.analyzed.includes('maint_probe'));
    const { rows } = await sql<{ n_dead_tup: number; analyzed: boolean; vacuumed: boolean }>`
      select n_dead_tup, last_analyze is not null as analyzed, last_vacuum is not null as vacuumed
      from pg_stat_user_tables where relname = 'maint_probe'`.execute(db);
    assert.deepEqual(rows[0], { n_dead_tup: 0, analyzed: true, vacuumed: true });
    const estimated = await estimateFor(ids);
    assert.ok(estimated >= 25 && estimated <= 100, `estimate after: ${estimated} (50 match)`);
    assert.equal(
      (await sql<{ n: number }>`select count(*)::int as n from maint_probe`.execute(db)).rows[0].n,
      5000,
    );

    // A pass limited to one table takes the one furthest past its threshold.
    await sql`create table maint_small (id serial primary key)`.execute(db);
    await sql`insert into maint_small select from generate_series(1, 60)`.execute(db);
    // 600 rows changed of 5,000: 1.09 × its threshold for analysis (50 + 500).
    await sql`update maint_probe set v = 'z' where k <= 600`.execute(db);
    const one = await maintainTables(db, 1);
    assert.deepEqual(one.analyzed, ['maint_small'], JSON.stringify(one)); // 60 new rows: 1.2 ×
    assert.deepEqual((await maintainTables(db, 1)).analyzed, ['maint_probe']);

    // Nothing changed since: the next pass leaves the table alone.
    const again = await maintainTables(db);
    assert.ok(!again.analyzed.includes('maint_probe'), JSON.stringify(again));

    // A table only ever inserted into is vacuumed too (1,200 rows past 1,000 + 20 % of none).
    await sql`create table maint_log (id serial primary key, v int)`.execute(db);
    await sql`insert into maint_log (v) select g from generate_series(1, 1200) g`.execute(db);
    const log = await maintainTables(db);
    assert.ok(log.vacuumed.includes('maint_log'), JSON.stringify(log));
    assert.deepEqual(log.frozen, []);
  });

  test('the timer runs passes on its own, and a pass waits for an open transaction', async () => {
    const loop = startMaintenance(storage.db, 50, (outcome) => passes.push(outcome));
    try {
      await storage.db.transaction().execute(async (trx) => {
        await sql`create table maint_timed (id serial primary key, v int)`.execute(trx);
        await sql`insert into maint_timed (v) select g from generate_series(1, 300) g`.execute(trx);
        // Timer ticks come and go while the transaction holds the connection.
        await new Promise((r) => setTimeout(r, 200));
      });
      const deadline = Date.now() + patience(30_000);
      while (!passes.some((p) => p.report?.analyzed.includes('maint_timed')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      assert.ok(
        passes.some((p) => p.report?.analyzed.includes('maint_timed')),
        `no pass analyzed the table: ${JSON.stringify(passes)}`,
      );
      assert.deepEqual(
        passes.filter((p) => p.error),
        [],
      );
    } finally {
      await loop.stop();
    }
  });
});
