/**
 * The storage suite: the same tests on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 * Then the DATA_DIR lock that keeps a second process away from an embedded database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Generated, sql } from 'kysely';
import { spawnForTest, within } from '../../../test/support/processes.ts';
import {
  type Backend,
  closeTestStorage,
  openTestStorage,
  testBackends,
} from '../../../test/support/storage.ts';
import {
  DataDirLockedError,
  type MigrationSet,
  migrateToLatest,
  openStorage,
  pendingMigrations,
  type Storage,
} from './index.ts';

/** The tables these tests create, beside the platform's `Database`. */
type TestTables = {
  widget: {
    id: Generated<number>;
    name: string;
    price?: number | null;
    colour?: string | null;
    size?: number | null;
  };
  typed: {
    id: Generated<number>;
    i4: number;
    i8: number;
    num: number;
    f8: number;
    flag: boolean;
    label: string;
    at: Date;
    naive: Date;
    day: string;
    doc: unknown;
    tags: string[];
    counts: number[];
    span: string;
    raw: Buffer;
  };
  ledger: { id: Generated<number>; tx: number; n: number };
  counter: { id: number; value: number };
};

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const setA: MigrationSet = {
  '9001-test-widgets': {
    async up(db) {
      await db.schema
        .createTable('widget')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('price', 'numeric(12, 2)')
        .execute();
    },
  },
};
const setB: MigrationSet = {
  '9002-test-gadgets': {
    async up(db) {
      await db.schema
        .createTable('gadget')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .execute();
    },
  },
};

const setC: MigrationSet = {
  '9003-test-widget-colour': {
    async up(db) {
      await db.schema.alterTable('widget').addColumn('colour', 'text').execute();
    },
  },
};

for (const backend of testBackends()) {
  describe(`storage on ${backend}`, () => {
    let storage: Storage & { schema?: string };
    before(async () => {
      storage = await openTestStorage(backend as Backend);
    });
    after(() => (storage ? closeTestStorage(storage) : undefined));
    const testDb = () => storage.db.withTables<TestTables>();

    test('answers ping and says which engine it is', async () => {
      await storage.ping();
      assert.equal(storage.kind, backend);
      assert.ok(storage.location.length > 0);
    });

    if (backend === 'pglite')
      test("embedded: new WAL segments are not zero-filled (no pause on PGlite's in-memory files)", async () => {
        const { rows } = await sql<{ wal_init_zero: string }>`show wal_init_zero`.execute(storage.db);
        assert.equal(rows[0].wal_init_zero, 'off');
      });

    if (backend === 'pglite')
      test('embedded: random reads cost the planner about what sequential ones do (pages are in memory)', async () => {
        const { rows } = await sql<{ random_page_cost: string }>`show random_page_cost`.execute(storage.db);
        assert.equal(rows[0].random_page_cost, '1.1');
      });

    if (backend === 'postgres')
      test('PostgreSQL: JIT compilation is off on every pooled connection', async () => {
        // Held open together, the queries take several of the pool's connections.
        const answers = await Promise.all(
          Array.from({ length: 6 }, () =>
            testDb()
              .transaction()
              .execute(async (trx) => {
                const { rows } = await sql<{ jit: string; pid: number }>`
                select current_setting('jit') as jit, pg_backend_pid() as pid, pg_sleep(0.05)`.execute(trx);
                return rows[0];
              }),
          ),
        );
        assert.ok(new Set(answers.map((a) => a.pid)).size > 1, 'several connections');
        assert.deepEqual([...new Set(answers.map((a) => a.jit))], ['off']);
      });

    test('migrations: pending before, applied in name order, none pending after, idempotent', async () => {
      // Given in reverse: names decide the order, not the order of the sets.
      assert.deepEqual(await pendingMigrations(storage.db, [setB, setA]), [
        '9001-test-widgets',
        '9002-test-gadgets',
      ]);
      const first = await migrateToLatest(storage.db, [setB, setA]);
      assert.deepEqual(first.applied, ['9001-test-widgets', '9002-test-gadgets']);
      assert.deepEqual(await pendingMigrations(storage.db, [setA, setB]), []);
      const second = await migrateToLatest(storage.db, [setA, setB]);
      assert.deepEqual(second.applied, [], 'a second run applies nothing');
      await testDb().insertInto('widget').values({ name: 'w0', price: 1 }).execute();
      await migrateToLatest(storage.db, [setA, setB]);
      const rows = await testDb().selectFrom('widget').select('name').execute();
      assert.deepEqual(rows, [{ name: 'w0' }], 'data survives a re-run');
    });

    test('a new migration is the only one pending', async () => {
      assert.deepEqual(await pendingMigrations(storage.db, [setA, setB, setC]), ['9003-test-widget-colour']);
      assert.deepEqual((await migrateToLatest(storage.db, [setA, setB, setC])).applied, [
        '9003-test-widget-colour',
      ]);
    });

    test('a failing migration is named in the error and stays pending', async () => {
      const bad: MigrationSet = {
        '9004-test-broken': {
          async up(db) {
            await sql`create table broken_one (id int)`.execute(db);
            await sql`select * from no_such_table`.execute(db);
          },
        },
      };
      await assert.rejects(
        migrateToLatest(storage.db, [setA, setB, setC, bad]),
        /Migration 9004-test-broken failed/,
      );
      assert.deepEqual(await pendingMigrations(storage.db, [setA, setB, setC, bad]), ['9004-test-broken']);
      const leftover = await sql<{ n: number }>`
        select count(*) as n from information_schema.tables
        where table_name = 'broken_one' and table_schema = current_schema()`.execute(storage.db);
      assert.equal(leftover.rows[0].n, 0, 'its partial work was rolled back');
    });

    test("an upgrade brings a capability's new migration that sorts before others already applied", async () => {
      const early: MigrationSet = {
        '9002-5-test-widget-size': {
          async up(db) {
            await db.schema.alterTable('widget').addColumn('size', 'integer').execute();
          },
        },
      };
      assert.deepEqual(await pendingMigrations(storage.db, [setA, setB, setC, early]), [
        '9002-5-test-widget-size',
      ]);
      assert.deepEqual((await migrateToLatest(storage.db, [setA, setB, setC, early])).applied, [
        '9002-5-test-widget-size',
      ]);
      await testDb().insertInto('widget').values({ name: 'sized', size: 3 }).execute();
    });

    test('bookkeeping of another schema in the same database is not taken for ours', {
      skip: backend === 'postgres' ? false : 'PostgreSQL schemas only',
    }, async () => {
      // This storage's schema already has kysely_migration; a fresh schema must get its own.
      const other = await openTestStorage('postgres');
      try {
        assert.deepEqual(await pendingMigrations(other.db, [setA]), ['9001-test-widgets']);
        assert.deepEqual((await migrateToLatest(other.db, [setA])).applied, ['9001-test-widgets']);
        assert.deepEqual(await pendingMigrations(other.db, [setA, setB]), ['9002-test-gadgets']);
      } finally {
        await closeTestStorage(other);
      }
    });

    test('DATABASE_PREPARED_STATEMENTS=false sends every statement unnamed (PostgreSQL, one connection)', {
      skip: backend === 'postgres' ? false : 'a second PGlite instance costs hundreds of megabytes',
    }, async () => {
      for (const preparedStatements of [true, false]) {
        const one = await openStorage({
          databaseUrl: process.env.TEST_DATABASE_URL!,
          schema: storage.schema,
          poolSize: 1,
          preparedStatements,
        });
        try {
          for (let k = 0; k < 5; k++) await sql`select ${k}::int + 1 as n where ${k} >= 0`.execute(one.db);
          const named = await sql<{ n: number }>`select count(*) as n from pg_prepared_statements
            where statement like '%::int + 1 as n%'`.execute(one.db);
          assert.equal(
            named.rows[0].n,
            preparedStatements ? 1 : 0,
            `preparedStatements: ${preparedStatements}`,
          );
        } finally {
          await one.close();
        }
      }
    });

    test('two migrations with the same name are refused', async () => {
      const dup: MigrationSet = { '9001-test-widgets': { async up() {} } };
      await assert.rejects(
        migrateToLatest(storage.db, [setA, dup]),
        /Two migrations are named 9001-test-widgets/,
      );
    });

    test('a transaction commits all its writes', async () => {
      await testDb()
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('widget').values({ name: 'tx-1', price: 2 }).execute();
          await trx.insertInto('widget').values({ name: 'tx-2', price: 3 }).execute();
        });
      const names = await testDb()
        .selectFrom('widget')
        .select('name')
        .where('name', 'like', 'tx-%')
        .execute();
      assert.deepEqual(names.map((r) => r.name).sort(), ['tx-1', 'tx-2']);
    });

    test('a transaction that throws rolls back all its writes', async () => {
      await assert.rejects(
        testDb()
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto('widget').values({ name: 'rb-1' }).execute();
            throw new Error('changed my mind');
          }),
        /changed my mind/,
      );
      await assert.rejects(
        testDb()
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto('widget').values({ name: 'rb-2' }).execute();
            await trx.insertInto('widget').values({ name: 'rb-2' }).execute(); // unique violation
          }),
      );
      const rows = await testDb().selectFrom('widget').select('name').where('name', 'like', 'rb-%').execute();
      assert.deepEqual(rows, []);
      await testDb().insertInto('widget').values({ name: 'rb-after' }).execute();
    });

    test('value types are the same on both engines', async () => {
      await sql`create table typed (
        id bigserial primary key, i4 integer, i8 bigint, num numeric(12, 2), f8 double precision,
        flag boolean, label text, at timestamptz, naive timestamp, day date, doc jsonb,
        tags text[], counts bigint[], span interval, raw bytea)`.execute(storage.db);
      const at = new Date('2026-03-02T01:02:03.456Z');
      await testDb()
        .insertInto('typed')
        .values({
          i4: 7,
          i8: 9_007_199_254_740_991,
          num: 1234.5,
          f8: 0.25,
          flag: true,
          label: '城市',
          at,
          naive: sql`'2026-03-02 01:02:03.456'::timestamp`,
          day: '2026-03-02',
          doc: JSON.stringify({ a: [1, { b: null }], s: '中' }),
          tags: sql`array['x', 'y']`,
          counts: sql`array[1, 2]::bigint[]`,
          span: sql`interval '90 minutes'`,
          raw: Buffer.from([1, 2, 255]),
        })
        .execute();
      const row = await testDb().selectFrom('typed').selectAll().executeTakeFirstOrThrow();
      const { raw, ...rest } = row;
      assert.deepEqual(rest, {
        id: 1,
        i4: 7,
        i8: 9_007_199_254_740_991,
        num: 1234.5,
        f8: 0.25,
        flag: true,
        label: '城市',
        at,
        naive: new Date('2026-03-02T01:02:03.456Z'),
        day: '2026-03-02',
        doc: { a: [1, { b: null }], s: '中' },
        tags: ['x', 'y'],
        counts: [1, 2],
        span: '01:30:00',
      });
      assert.ok(Buffer.isBuffer(raw));
      assert.deepEqual([...(raw as Buffer)], [1, 2, 255]);

      const agg = await sql<Record<string, unknown>>`
        select count(*) as n, sum(i4) as s, avg(i4) as a, sum(num) as total, max(at) as latest, now() as now
        from typed`.execute(storage.db);
      const { now, ...numbers } = agg.rows[0];
      assert.deepEqual(numbers, { n: 1, s: 7, a: 7, total: 1234.5, latest: at });
      assert.ok(now instanceof Date);
      const nulls =
        await sql`select null::bigint as i8, null::numeric as num, null::jsonb as doc, null::date as day`.execute(
          storage.db,
        );
      assert.deepEqual(nulls.rows[0], { i8: null, num: null, doc: null, day: null });
    });

    test('a statement run again and again (prepared by name) reads, writes, fails and rolls back as the first run', async () => {
      await sql`create table hot (id integer primary key, doc jsonb, tags text[], at timestamptz, flag boolean, note text)`.execute(
        storage.db,
      );
      const at = new Date('2026-03-02T01:02:03.456Z');
      // The same texts each time: from the third run on they go by name (storage.ts).
      const insert = (id: number, note: string | null) =>
        sql`insert into hot (id, doc, tags, at, flag, note)
          select ${id}, ${JSON.stringify({ id, nested: { n: null } })}::jsonb, ${['a', `"q'${id}`]}::text[],
            ${at}::timestamptz, ${id % 2 === 0}, ${note}`.execute(storage.db);
      const read = (id: number) =>
        sql<Record<string, unknown>>`select id, doc, tags, at, flag, note from hot where id = ${id}`.execute(
          storage.db,
        );
      for (let id = 1; id <= 6; id++) {
        const written = await insert(id, id === 3 ? null : `note ${id}`);
        assert.equal(Number(written.numAffectedRows), 1);
        assert.deepEqual((await read(id)).rows, [
          {
            id,
            doc: { id, nested: { n: null } },
            tags: ['a', `"q'${id}`],
            at,
            flag: id % 2 === 0,
            note: id === 3 ? null : `note ${id}`,
          },
        ]);
      }
      // They did go by name (PGlite has one session to look in; PostgreSQL one per pooled connection).
      if (backend === 'pglite') {
        const named = await sql<{ n: number }>`select count(*) as n from pg_prepared_statements
          where statement like '%insert into hot%' or statement like '%from hot where id%'`.execute(
          storage.db,
        );
        assert.equal(named.rows[0].n, 2);
        // A session that lost its statements prepares them again.
        await sql`deallocate all`.execute(storage.db);
        await insert(12, 'after deallocate');
        assert.equal((await read(12)).rows[0].note, 'after deallocate');
      }
      // An error is the database's, with its code, and leaves nothing behind.
      await assert.rejects(insert(6, 'again'), (e: { code?: string }) => e.code === '23505');
      // Inside a transaction that rolls back, the writes go with it.
      await assert.rejects(
        testDb()
          .transaction()
          .execute(async (trx) => {
            for (const id of [7, 8, 9, 10])
              await sql`insert into hot (id, doc, tags, at, flag, note)
              select ${id}, ${JSON.stringify({ id, nested: { n: null } })}::jsonb, ${['a', `"q'${id}`]}::text[],
                ${at}::timestamptz, ${id % 2 === 0}, ${'in a transaction'}`.execute(trx);
            throw new Error('roll back');
          }),
        /roll back/,
      );
      assert.deepEqual((await read(7)).rows, []);
      // A column added later: the prepared statements still run (and see what they name).
      await sql`alter table hot add column extra text`.execute(storage.db);
      await insert(11, 'after the change');
      assert.equal((await read(11)).rows[0].note, 'after the change');
      const count = await sql<{ n: number }>`select count(*) as n from hot`.execute(storage.db);
      assert.equal(count.rows[0].n, backend === 'pglite' ? 8 : 7);
    });

    test('concurrent transactions stay isolated and each commits or rolls back alone', async () => {
      await sql`create table ledger (id serial primary key, tx int not null, n int not null)`.execute(
        storage.db,
      );
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, tx) =>
          testDb()
            .transaction()
            .execute(async (trx) => {
              for (let n = 0; n < 5; n++) {
                await trx.insertInto('ledger').values({ tx, n }).execute();
                await new Promise((r) => setTimeout(r, 1));
              }
              const own = await trx
                .selectFrom('ledger')
                .select(sql<number>`count(*)`.as('c'))
                .where('tx', '=', tx)
                .executeTakeFirstOrThrow();
              assert.equal(own.c, 5, 'a transaction sees its own writes');
              if (tx === 3) throw new Error('transaction 3 fails');
              return tx;
            }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        [
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'fulfilled',
        ],
      );
      const perTx = await sql<{ tx: number; c: number }>`
        select tx, count(*) as c from ledger group by tx order by tx`.execute(storage.db);
      assert.deepEqual(
        perTx.rows,
        [0, 1, 2, 4, 5, 6, 7].map((tx) => ({ tx, c: 5 })),
      );
    });

    test('concurrent read-modify-write with row locks loses no update', async () => {
      await sql`create table counter (id int primary key, value int not null)`.execute(storage.db);
      await sql`insert into counter values (1, 0)`.execute(storage.db);
      await Promise.all(
        Array.from({ length: 12 }, () =>
          testDb()
            .transaction()
            .execute(async (trx) => {
              const { value } = await trx
                .selectFrom('counter')
                .select('value')
                .where('id', '=', 1)
                .forUpdate()
                .executeTakeFirstOrThrow();
              await new Promise((r) => setTimeout(r, 2));
              await trx
                .updateTable('counter')
                .set({ value: value + 1 })
                .where('id', '=', 1)
                .execute();
            }),
        ),
      );
      const { value } = await testDb().selectFrom('counter').select('value').executeTakeFirstOrThrow();
      assert.equal(value, 12);
    });
  });
}

describe('DATA_DIR lock (embedded PGlite)', () => {
  let dataDir: string;
  let first: Storage | null = null;
  const lockFile = () => path.join(dataDir, 'onecity.lock');

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'onecity-datadir-'));
  });
  after(async () => {
    await first?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a stale lock left by a dead process is taken over', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']);
    assert.equal(dead.status, 0);
    writeFileSync(lockFile(), String(dead.pid));
    first = await openStorage({ dataDir });
    assert.equal(readFileSync(lockFile(), 'utf8'), String(process.pid));
    await sql`create table kept (v text)`.execute(first.db);
    await sql`insert into kept values ('persisted')`.execute(first.db);
  });

  test('a second openStorage on the same DATA_DIR in this process is refused', async () => {
    await assert.rejects(openStorage({ dataDir }), (err: unknown) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.equal(err.pid, process.pid);
      assert.match(err.message, /is in use by another OneCity process/);
      return true;
    });
    assert.equal(readFileSync(lockFile(), 'utf8'), String(process.pid), 'the holder keeps its lock');
    await first!.ping();
  });

  test('a second OS process on the same DATA_DIR exits non-zero with a clear message', async (t) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    delete env.NATS_URL;
    delete env.ONECITY_CONFIG;
    const migrate = spawnForTest(t, process.execPath, ['bin/onecity.mjs', 'migrate'], { cwd: ROOT, env });
    const { code } = await within(migrate.exited, 120_000, 'exit of the second process');
    const stderr = migrate.stderr();
    assert.notEqual(code, 0);
    assert.match(stderr, /DATA_DIR .* is in use by another OneCity process \(pid \d+\)/);
    assert.ok(stderr.includes(String(process.pid)), 'the message names the holder');
    assert.equal(stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    await first!.ping();
  });

  test('closing releases the lock, and the data is still there when reopened', async () => {
    await first!.close();
    first = null;
    assert.equal(existsSync(lockFile()), false);
    first = await openStorage({ dataDir });
    const rows = await sql<{ v: string }>`select v from kept`.execute(first.db);
    assert.deepEqual(rows.rows, [{ v: 'persisted' }]);
  });
});
