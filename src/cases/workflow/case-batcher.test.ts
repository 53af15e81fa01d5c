import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testBackends } from '../../../test/support/storage.ts';
import { verifyAuditChain } from '../../audit/index.ts';
import type { Principal } from '../../identity/index.ts';
import { applyAction } from './case-actions.ts';
import type { CaseView } from '../rules/case-model.ts';
import { CASES } from '../index.ts';
import { intakeBatcher, type IntakeInput, reportCase } from '../intake/intake.ts';
import { CATEGORY, type CaseFixture, caseFixture, TO_IN_PROGRESS } from '../testing.ts';
import { transitionBatcher } from './transition-batch.ts';

const service = (id: string, roles: Principal['roles'], departmentCodes: string[] = []): Principal => ({
  kind: 'service',
  id,
  username: id,
  roles,
  departmentCodes,
  divisionCodes: [],
});
const citizen = service('batch:citizen', ['citizen']);
const sup = service('batch:sup', ['supervision_operator']);
const disp = service('batch:disp', ['dispatcher']);

for (const backend of testBackends()) {
  describe(`group-committed intake and transitions (${backend})`, () => {
    let fx: CaseFixture;
    const engine = () => fx.t.services(CASES).engine;
    const report = (extra: Partial<IntakeInput> = {}) =>
      reportCase(engine(), citizen, {
        channel: 'hotline',
        category: CATEGORY,
        location: fx.point,
        description: 'Garbage by the bus stop',
        reporter: { name: '张三', phone: '13812341234', consent: true },
        ...extra,
      });
    const auditOf = async (ids: string[], action: string) =>
      Number(
        (
          await fx.t.kernel.db
            .selectFrom('audit_record')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('object_id', 'in', ids)
            .where('action', '=', action)
            .executeTakeFirstOrThrow()
        ).n,
      );
    before(async () => {
      fx = await caseFixture(backend);
    });
    after(() => fx.dispose());

    it('many concurrent reports commit in few batches: unique numbers, one audit record each, chain intact', async () => {
      const before = intakeBatcher(engine()).batches;
      const results = await Promise.all(Array.from({ length: 300 }, () => report()));
      const batches = intakeBatcher(engine()).batches - before;
      assert.ok(batches < 30, `300 reports took ${batches} transactions`);
      assert.ok(results.every((r) => r.created));
      const numbers = new Set(results.map((r) => r.case.number));
      assert.equal(numbers.size, 300);
      const ids = results.map((r) => r.case.id);
      assert.equal(await auditOf(ids, 'case.reported'), 300);
      const history = await fx.t.kernel.db
        .selectFrom('case_history')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('case_id', 'in', ids)
        .where('action', '=', 'report')
        .executeTakeFirstOrThrow();
      assert.equal(Number(history.n), 300);
      const timers = await fx.t.kernel.db
        .selectFrom('kernel_job')
        .select(['key'])
        .where(sql<boolean>`key like 'sla:%:file:%'`)
        .where(sql<boolean>`payload->>'caseId' = any(${ids}::text[])`)
        .where('status', '=', 'pending')
        .execute();
      // One timer per running stage: the yellow one, which schedules the red one when it fires.
      assert.equal(timers.length, 300, 'one pending timer per case');
      assert.ok(timers.every((t) => t.key!.endsWith(':file:yellow')));
      // The answer is the full view, as the one-by-one path gives it.
      const one = results[299].case;
      assert.equal(one.state, 'reported');
      assert.equal(one.stage?.stage, 'file');
      assert.ok(one.duplicateCandidates.length > 0, 'the earlier reports of the batch are its duplicates');
      assert.deepEqual(await fx.get('sup', one.id).then((c) => c.number), one.number);
      assert.equal((await verifyAuditChain(fx.t.kernel.db)).ok, true);
    });

    it('a new case is linked to the nearest open candidates only, at most duplicateMaxCandidates', async () => {
      const most = engine().settings.duplicateMaxCandidates;
      assert.equal(most, 5);
      // Away from the other tests' reports: 8 earlier reports 4, 8, … 32 m north of a spot.
      const spot = { lat: fx.point.lat + 0.004, lon: fx.point.lon };
      const metres = (m: number) => ({ lat: spot.lat + m / 111_195, lon: spot.lon });
      const earlier: CaseView[] = [];
      for (let k = 8; k >= 1; k--) earlier.push((await report({ location: metres(4 * k) })).case);
      // One more arrives in the same batch as the new report, 2 m away.
      const [sameBatch, fresh] = await Promise.all([
        report({ location: metres(2) }),
        report({ location: metres(0.5) }),
      ]);
      const expected = [sameBatch.case, ...earlier.slice(-4).reverse()].map((c) => c.number);
      assert.deepEqual(
        fresh.case.duplicateCandidates.map((d) => d.number),
        expected,
        'the five nearest, nearest first',
      );
      const rows = await fx.t.kernel.db
        .selectFrom('case_duplicate')
        .select('candidate_id')
        .where('case_id', '=', fresh.case.id)
        .execute();
      assert.equal(rows.length, most);
    });

    it('candidates in every direction within the radius are found (diagonals too), none beyond it', async () => {
      const near = (base: { lat: number; lon: number }, north: number, east: number) => ({
        lat: base.lat + north / 111_195,
        lon: base.lon + east / (111_195 * Math.cos((base.lat * Math.PI) / 180)),
      });
      // A spot of the city away from the other tests' reports, with all its neighbours inside.
      const inCity = (q: { lat: number; lon: number }) => !!engine().deps.locate(q.lat, q.lon)?.grid;
      const spot = [600, -600, 900, -900, 1200]
        .flatMap((n) => [near(fx.point, n, 0), near(fx.point, 0, n), near(fx.point, n, n)])
        .find((q) => [near(q, 60, 60), near(q, -60, -60), near(q, 60, -60), near(q, -60, 60)].every(inCity))!;
      assert.ok(spot, 'a spot inside the city');
      const at = (north: number, east: number) => near(spot, north, east);
      // ~40 m NW, ~45 m NE, ~48 m SW, ~49 m due E; and 55 m SE (outside the 50 m radius).
      const inside = [at(35, -20), at(32, 32), at(-34, -34), at(0, 49)];
      const reported = [];
      for (const location of [...inside, at(-39, 39)]) reported.push((await report({ location })).case);
      const fresh = (await report({ location: spot })).case;
      assert.deepEqual(
        fresh.duplicateCandidates.map((d) => d.number).sort(),
        reported
          .slice(0, 4)
          .map((c) => c.number)
          .sort(),
      );
      for (const d of fresh.duplicateCandidates) assert.ok(d.distanceMeters <= 50, `${d.distanceMeters} m`);
    });

    it('a bad report in a batch fails alone; the others commit', async () => {
      const bad = { description: null as unknown as string };
      const settled = await Promise.allSettled([report(), report(bad), report(), report()]);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
      const numbers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.case.number] : []));
      assert.equal(new Set(numbers).size, 3);
      assert.equal((await verifyAuditChain(fx.t.kernel.db)).ok, true);
    });

    it('the same client request id twice in one batch makes one case', async () => {
      const clientRequestId = `batch-${Date.now()}`;
      const [a, b] = await Promise.all([report({ clientRequestId }), report({ clientRequestId })]);
      assert.equal(a.case.id, b.case.id);
      assert.deepEqual([a.created, b.created].sort(), [false, true]);
      const again = await report({ clientRequestId });
      assert.equal(again.created, false);
      assert.equal(again.case.id, a.case.id);
      const rows = await fx.t.kernel.db
        .selectFrom('case_record')
        .select('id')
        .where('client_request_id', '=', clientRequestId)
        .execute();
      assert.equal(rows.length, 1);
    });

    it('two actions on one case in one batch: one wins, the other gets 409', async () => {
      const c = (await report()).case;
      const before = transitionBatcher(engine()).batches;
      const settled = await Promise.allSettled([
        applyAction(engine(), sup, c.id, 'file', { version: c.version }),
        applyAction(engine(), sup, c.id, 'reject', { version: c.version, reason: 'not ours' }),
      ]);
      assert.equal(transitionBatcher(engine()).batches - before, 1, 'both in one transaction');
      assert.equal(settled[0].status, 'fulfilled');
      assert.equal(settled[1].status, 'rejected');
      const err = (settled[1] as PromiseRejectedResult).reason as { statusCode?: number; code?: string };
      assert.equal(err.code, 'case.version_conflict');
      const history = await fx.t.kernel.db
        .selectFrom('case_history')
        .select('action')
        .where('case_id', '=', c.id)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        history.map((h) => h.action),
        ['report', 'file'],
      );
      // A command naming the version the first one produces goes through right after it.
      const c2 = (await report()).case;
      const mark = transitionBatcher(engine()).batches;
      const [filed, dispatched] = await Promise.all([
        applyAction(engine(), sup, c2.id, 'file', { version: c2.version }),
        applyAction(engine(), disp, c2.id, 'dispatch', { version: c2.version + 1 }),
      ]);
      assert.equal(transitionBatcher(engine()).batches - mark, 1);
      assert.equal(filed.state, 'filed');
      assert.equal(dispatched.state, 'dispatched');
      assert.equal(dispatched.version, c2.version + 2);
      assert.equal(dispatched.stage?.stage, 'accept');
    });

    it('a batched action answers with what a read of the case shows after it (duplicates, masked reporters, whistles)', async () => {
      // Reported where the other reports of this suite are: duplicate candidates, a reporter
      // whose data the handler sees masked; then a whistle (an action outside the in-memory set).
      const c = await fx.walk(TO_IN_PROGRESS);
      assert.ok(c.duplicateCandidates.length > 0);
      const r = await fx.act('street', c.id, 'whistle', { departments: [fx.lead, fx.other], note: 'joint' });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), await fx.get('street', c.id));
      assert.equal(r.json().linkage.length, 2);
      // The handler's handle shares its batch with other cases' actions.
      const others = await Promise.all([fx.walk([]), fx.walk([])]);
      const [handled, ...filed] = await Promise.all([
        fx.act('handler', c.id, 'handle', { version: r.json().version, evidence: ['after.jpg'] }),
        ...others.map((o) => fx.act('sup', o.id, 'file', { version: o.version })),
      ]);
      assert.equal(handled.statusCode, 200, handled.body);
      const view = handled.json();
      assert.equal(view.state, 'handled');
      assert.deepEqual(view, await fx.get('handler', c.id));
      assert.ok(view.reporters?.length && view.reporters[0].phone !== '13812341234', 'masked');
      assert.deepEqual(view.duplicateCandidates, c.duplicateCandidates);
      for (const [k, f] of filed.entries()) assert.deepEqual(f.json(), await fx.get('sup', others[k].id));
    });

    it('many cases moved at once: each change audited, timers moved, chain intact', async () => {
      const cases = (await Promise.all(Array.from({ length: 60 }, () => report()))).map((r) => r.case);
      const step = async (list: CaseView[], who: Principal, action: string, extra = {}) =>
        Promise.all(
          list.map((c) => applyAction(engine(), who, c.id, action, { version: c.version, ...extra })),
        );
      const filed = await step(cases, sup, 'file');
      const dispatched = await step(filed, disp, 'dispatch');
      assert.ok(dispatched.every((c) => c.state === 'dispatched' && c.leadDepartment === fx.lead));
      const handler = service('batch:handler', ['department_handler'], [fx.lead]);
      const accepted = await step(dispatched, handler, 'accept');
      const handled = await step(accepted, handler, 'handle', { evidence: ['photo.jpg'] });
      assert.ok(handled.every((c) => c.state === 'handled' && c.stage?.stage === 'verify'));
      const ids = cases.map((c) => c.id);
      for (const action of ['case.filed', 'case.dispatched', 'case.accepted', 'case.handled'])
        assert.equal(await auditOf(ids, action), 60, action);
      const jobs = await fx.t.kernel.db
        .selectFrom('kernel_job')
        .select(['key', 'status'])
        .where(sql<boolean>`payload->>'caseId' = ${ids[0]}`)
        .where(sql<boolean>`key like 'sla:%'`)
        .execute();
      const pending = jobs.filter((j) => j.status === 'pending').map((j) => j.key!.split(':')[2]);
      assert.deepEqual([...new Set(pending)], ['verify'], 'only the verify stage has live timers');
      const stages = await fx.t.kernel.db
        .selectFrom('case_stage')
        .select(['stage', 'ended_at'])
        .where('case_id', '=', ids[0])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        stages.map((s) => [s.stage, s.ended_at === null]),
        [
          ['file', false],
          ['dispatch', false],
          ['accept', false],
          ['handle', false],
          ['verify', true],
        ],
      );
      assert.equal((await verifyAuditChain(fx.t.kernel.db)).ok, true);
    });
  });
}
