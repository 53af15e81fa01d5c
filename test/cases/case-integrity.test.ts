/**
 * The rows the engine writes beside a case carry no foreign key (migration 0456 dropped them
 * for speed): a case is never deleted, and every such row is written in the transaction that
 * writes or locks its case. This suite plays a simulated day of the city, batched intake
 * included, and checks that no row names a case that does not exist, and that the database
 * refuses to delete or truncate a case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CASES } from '../../src/cases/index.ts';
import { APPEND_ONLY_CASE_CHILDREN } from '../../src/cases/store/case-migrations-0450.ts';
import {
  CASE_TIMESTAMPS,
  casesFromJson,
  STAGE_TIMESTAMPS,
  stagesFromJson,
} from '../../src/cases/store/case-store.ts';
import { simulateCity } from '../../src/simulator/index.ts';
import { type CaseFixture, caseFixture } from '../../src/cases/testing.ts';
import { wholeRowJson } from '../../src/kernel/index.ts';
import { patience } from '../support/processes.ts';
import { testBackends } from '../support/storage.ts';

for (const backend of testBackends()) {
  describe(`case integrity without foreign keys (${backend})`, () => {
    let fx: CaseFixture;
    before(async () => {
      fx = await caseFixture(backend);
    });
    after(async () => {
      await fx?.dispose();
    });

    it('a simulated day and a burst of reports leave no row without its case', {
      timeout: patience(600_000),
    }, async () => {
      // A burst through HTTP: the reports share group-committed batches (duplicates within
      // a batch link to each other).
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fx.report('citizen', { location: { lat: fx.point.lat + (i % 4) * 0.0001, lon: fx.point.lon } }),
        ),
      );
      assert.ok(burst.every((r) => r.statusCode === 201));
      fx.t.clock.set('2026-03-02T16:00:00Z');
      const summary = await simulateCity(fx.t.services(CASES).engine, fx.t.kernel, fx.t.clock, {
        days: 1,
        seed: 5,
        reportsPerDay: 30,
      });
      assert.ok(summary.reported > 0);
      const db = fx.t.kernel.db;
      const counts: Record<string, number> = {};
      for (const [table, column] of APPEND_ONLY_CASE_CHILDREN) {
        const { rows } = await sql<{ rows: number; orphans: number }>`
          select count(*)::int as rows,
                 count(*) filter (where not exists (
                   select 1 from case_record c where c.id = t.${sql.ref(column)}))::int as orphans
          from ${sql.table(table)} t`.execute(db);
        assert.equal(rows[0].orphans, 0, `${table}.${column}: rows without their case`);
        counts[`${table}.${column}`] = rows[0].rows;
      }
      // The check looked at real rows of every kind, and the tables indeed have no foreign key.
      const fks = await sql<{ n: number }>`
        select count(*)::int as n from pg_constraint
        where contype = 'f' and conrelid::regclass::text = any(${[...new Set(APPEND_ONLY_CASE_CHILDREN.map(([t]) => t))]})`.execute(
        db,
      );
      assert.equal(fks.rows[0].n, 0);
      for (const [k, n] of Object.entries(counts)) assert.ok(n > 0, `${k} has rows (${n})`);

      // Events and milestones carry their case's place, district, category and channel, on
      // every path that writes them (batched and single intake, batched and single actions,
      // timers).
      for (const table of ['case_event', 'case_timing']) {
        const { rows: carried } = await sql<{ rows: number; wrong: number; kinds: number }>`
          select count(*)::int as rows,
                 count(*) filter (where x.place is distinct from coalesce(c.grid_code, c.district_code)
                   or x.district_code is distinct from c.district_code or x.category is distinct from c.category
                   or x.channel is distinct from c.channel)::int as wrong,
                 count(distinct ${sql.ref(table === 'case_event' ? 'x.type' : 'x.milestone')})::int as kinds
          from ${sql.table(table)} x join case_record c on c.id = x.case_id`.execute(db);
        assert.equal(carried[0].wrong, 0, `${table}: rows whose case scope differs from their case's`);
        assert.ok(carried[0].kinds >= 4, `${table}: ${JSON.stringify(carried[0])}`);
      }
      // Milestones carry the case's current lead department, through every change of hands.
      const { rows: leads } = await sql<{ rows: number; wrong: number; led: number }>`
        select count(*)::int as rows,
               count(*) filter (where t.lead_department is distinct from c.lead_department)::int as wrong,
               count(*) filter (where t.lead_department is not null)::int as led
        from case_timing t join case_record c on c.id = t.case_id`.execute(db);
      assert.equal(
        leads[0].wrong,
        0,
        `milestones whose lead department differs: ${JSON.stringify(leads[0])}`,
      );
      assert.ok(leads[0].led > 0);
      const { rows: placed } = await sql<{ n: number }>`
        select count(*)::int as n from case_event where place is not null`.execute(db);
      assert.ok(placed[0].n > 0);
    });

    it('cases and stages read as one JSON text each equal the rows read column by column', async () => {
      const db = fx.t.kernel.db;
      // The timestamp lists name every timestamp column of their table.
      for (const [table, listed] of [
        ['case_record', CASE_TIMESTAMPS],
        ['case_stage', STAGE_TIMESTAMPS],
      ] as const) {
        const { rows } = await sql<{ column_name: string }>`
          select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table}
            and data_type like 'timestamp%' order by column_name`.execute(db);
        assert.deepEqual(
          rows.map((r) => r.column_name),
          [...listed].sort(),
          table,
        );
      }
      // The day played above left cases in every state, with stages open and ended.
      const plain = await db.selectFrom('case_record').selectAll().orderBy('id').execute();
      const json = casesFromJson(
        await db.selectFrom('case_record').select(wholeRowJson('case_record')).orderBy('id').execute(),
      );
      assert.ok(plain.length > 40);
      assert.ok(new Set(plain.map((r) => r.state)).size >= 4, 'several states');
      assert.deepEqual(json, plain);
      const plainStages = await db.selectFrom('case_stage').selectAll().orderBy('id').execute();
      const jsonStages = stagesFromJson(
        await db.selectFrom('case_stage').select(wholeRowJson('case_stage')).orderBy('id').execute(),
      );
      assert.ok(plainStages.some((s) => s.ended_at) && plainStages.some((s) => !s.ended_at));
      assert.deepEqual(jsonStages, plainStages);
    });

    it('the database refuses to delete or truncate a case, or change its id', async () => {
      const db = fx.t.kernel.db;
      const before = await db
        .selectFrom('case_record')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.ok(Number(before.n) > 0);
      await assert.rejects(
        sql`delete from case_record`.execute(db),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, '23001');
          assert.match(e.message ?? '', /never deleted/);
          return true;
        },
      );
      await assert.rejects(sql`truncate case_record cascade`.execute(db), /never deleted/);
      await assert.rejects(sql`update case_record set id = id || '-moved'`.execute(db), /keep their id/);
      // Other columns change as ever.
      await sql`update case_record set updated_at = updated_at`.execute(db);
      const after = await db
        .selectFrom('case_record')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });
  });
}
