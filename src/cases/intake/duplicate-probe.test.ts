import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { testBackends } from '../../../test/support/storage.ts';
import type { Principal } from '../../identity/index.ts';
import { CASES } from '../index.ts';
import { type IntakeInput, openCasesNearQuery, probeOf, reportCase } from './intake.ts';
import { CATEGORY, type CaseFixture, caseFixture, MONDAY_9AM } from '../testing.ts';

const citizen: Principal = {
  kind: 'service',
  id: 'hotspot:citizen',
  username: 'hotspot:citizen',
  roles: ['citizen'],
  departmentCodes: [],
  divisionCodes: [],
};

/** A node of EXPLAIN's JSON plan. */
interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Order By'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

for (const backend of testBackends()) {
  describe(`the duplicate probe at a hot spot (${backend})`, () => {
    let fx: CaseFixture;
    let other: string;
    const engine = () => fx.t.services(CASES).engine;
    /** A spot of the fixture's grid, `north` and `east` metres from its point. */
    const at = (north: number, east: number) => ({
      lat: fx.point.lat + north / 111_195,
      lon: fx.point.lon + east / (111_195 * Math.cos((fx.point.lat * Math.PI) / 180)),
    });
    const report = (extra: Partial<IntakeInput> = {}) =>
      reportCase(engine(), citizen, {
        channel: 'hotline',
        category: CATEGORY,
        location: fx.point,
        description: 'The street is flooded',
        ...extra,
      });
    /**
     * `count` open copies of a case at its place, numbered on 2026-03-03 (after every
     * number the fixture's clock hands out), written at once as a hot spot piles up.
     */
    const pileOn = async (id: string, count: number, category: string, from: number) => {
      await sql`
        insert into case_record
        select copy.* from case_record c
        cross join generate_series(${from}::int, ${from + count - 1}::int) g
        cross join jsonb_populate_record(null::case_record, to_jsonb(c) || jsonb_build_object(
          'id', c.id || '-' || g,
          'number', '20260303' || lpad(g::text, 5, '0'),
          'category', ${category}::text,
          'client_request_id', null)) copy
        where c.id = ${id}`.execute(fx.t.kernel.db);
    };

    before(async () => {
      fx = await caseFixture(backend);
      other = fx.t.kernel.modules
        .categories()
        .find((c) => c.parent && c.code !== CATEGORY && !c.autoDispatch)!.code;
    });
    after(() => fx.dispose());

    it('many open cases at one point: a report there gets exactly the configured number, nearest first, then lowest numbers', async () => {
      const most = engine().settings.duplicateMaxCandidates;
      assert.equal(most, 5);
      // Nearer than the pile but outside the window (two days earlier), and of another class:
      // neither may be a candidate.
      fx.t.clock.set('2026-02-28T01:00:00Z');
      await report({ location: at(0, 0.5) });
      fx.t.clock.set(MONDAY_9AM);
      await report({ location: at(0, 0.3), category: other });
      // Two reports nearer than the pile, then the pile 5 m north: 30 reports through intake
      // and 3,000 more copies of them, and 1,000 of another class at the same point.
      const near = [
        (await report({ location: at(0, 1) })).case,
        (await report({ location: at(0, -3) })).case,
      ];
      const pile = await Promise.all(Array.from({ length: 30 }, () => report({ location: at(5, 0) })));
      await pileOn(pile[0].case.id, 3_000, CATEGORY, 1);
      await pileOn(pile[0].case.id, 1_000, other, 3_001);

      const fresh = (await report()).case;
      const lowest = pile
        .map((r) => r.case.number)
        .sort()
        .slice(0, most - near.length);
      assert.deepEqual(
        fresh.duplicateCandidates.map((d) => d.number),
        [...near.map((c) => c.number), ...lowest],
      );
      assert.deepEqual(
        fresh.duplicateCandidates.map((d) => Math.round(d.distanceMeters)),
        [1, 3, 5, 5, 5],
      );
    });

    it('the probe walks the index in distance order and reads only the rows it keeps, whatever the pile', async () => {
      // The tables' statistics, as autovacuum (PostgreSQL) or the embedded maintenance keeps them.
      await sql`analyze case_record`.execute(fx.t.kernel.db);
      const most = engine().settings.duplicateMaxCandidates;
      const now = fx.t.clock.now();
      const pileAt = at(5, 0);
      const probes = [CATEGORY, other].map((category) =>
        probeOf(engine(), category, pileAt.lat, pileAt.lon, now),
      );
      const { sql: text, parameters } = openCasesNearQuery(probes, most).compile(fx.t.kernel.db);
      const { rows } = await fx.t.kernel.db.executeQuery<{
        'QUERY PLAN': Array<{ Plan: PlanNode }> | string;
      }>(CompiledQuery.raw(`explain (analyze, format json) ${text}`, [...parameters]));
      const cell = rows[0]['QUERY PLAN'];
      const plan = (typeof cell === 'string' ? JSON.parse(cell) : cell)[0].Plan as PlanNode;
      const nodes = nodesOf(plan);
      const types = nodes.map((n) => n['Node Type']);
      assert.ok(!types.some((t) => t.includes('Sort')), `no sort: ${types.join(' > ')}`);
      const limit = nodes.find((n) => n['Node Type'] === 'Limit');
      const scan = limit?.Plans?.[0];
      assert.equal(scan?.['Node Type'], 'Index Scan', types.join(' > '));
      assert.equal(scan['Index Name'], 'case_record_open_nearest');
      assert.match(scan['Order By'] ?? '', /<->.*<->/, 'ordered by distance, then number, in the index');
      // 4,000 open cases of the two classes at that point; each walk read the five it answers.
      assert.equal(scan['Actual Loops'], 2);
      assert.equal(Math.round(scan['Actual Rows'] * scan['Actual Loops']), 2 * most);
      assert.equal(scan['Rows Removed by Filter'] ?? 0, 0);
    });
  });
}
