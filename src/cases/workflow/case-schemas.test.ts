/**
 * The case routes answer through their response schemas (case-model.ts), which Fastify's
 * serialiser applies: a property a schema leaves out is dropped, a value of another type
 * coerced. A case with every optional part filled (stage, extension, deadlines, duplicates,
 * links, reporters, linkage, history parameters) goes through each route and must come out
 * as the services built it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import { principalForToken } from '../../identity/index.ts';
import { getCase, getCaseHistory, listCases } from '../store/case-queries.ts';
import { type CaseFixture, caseFixture, TO_IN_PROGRESS } from '../testing.ts';
import { listWhistles } from './linkage-routes.ts';

/** What the service's value looks like once it is JSON, nothing dropped or coerced. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

for (const backend of testBackends()) {
  describe(`case response schemas (${backend})`, () => {
    let fx: CaseFixture;
    before(async () => {
      fx = await caseFixture(backend);
    });
    after(async () => {
      await fx.dispose();
    });

    const principal = (who: string) =>
      principalForToken(fx.t.kernel.db, fx.as[who].authorization.slice('Bearer '.length), fx.t.clock.now());

    it('answers a fully-populated case, its list, its history and its whistles unchanged', async () => {
      const first = await fx.walk([]);
      const created = await fx.report('citizen', {
        parentAlertId: 'alert-0001',
        address: '人民路 12 号',
        media: ['https://img.example.cn/a.jpg'],
        urgency: 'urgent',
      });
      assert.equal(created.statusCode, 201, created.body);
      let c = created.json();
      const db = fx.t.kernel.db;
      const sup = await principal('sup');
      assert.deepEqual(c, asJson(await getCase(db, await principal('citizen'), c.id)), 'intake answer');

      for (const [who, action, params] of [
        ...TO_IN_PROGRESS,
        ['street', 'whistle', { departments: [fx.lead, fx.other], note: 'joint' }],
        ['handler', 'report-in'],
        ['street', 'rate-linkage', { department: fx.lead, rating: 4 }],
        ['handler', 'request-extension', { minutes: 90, reason: 'needs a crane' }],
      ] as Array<[string, string, Record<string, unknown>?]>) {
        const r = await fx.act(who, c.id, action, { version: c.version, ...params });
        assert.equal(r.statusCode, 200, `${who} ${action}: ${r.body}`);
        c = r.json();
        assert.deepEqual(c, asJson(await getCase(db, await principal(who), c.id)), `${action} answer`);
      }

      // Every part the schema could drop is there, so the comparisons below cover it.
      const full = await getCase(db, sup, c.id);
      assert.ok(full.stage && full.extension && full.resumeState && full.responsibility.ruleId !== undefined);
      assert.ok(Object.keys(full.deadlines).length >= 3, JSON.stringify(full.deadlines));
      assert.ok(full.duplicateCandidates.some((d) => d.id === first.id));
      assert.equal(full.links.parentAlertId, 'alert-0001');
      assert.ok(full.reporters?.length && full.reporters[0].phone);
      assert.ok(full.linkage?.some((l) => l.reportedInAt && l.rating === 4));
      assert.ok(full.linkage?.some((l) => l.reportedInAt === null));

      const one = await fx.t.app.inject({ url: `/api/v1/cases/${c.id}`, headers: fx.as.sup });
      assert.deepEqual(one.json(), asJson(full));

      const list = await fx.t.app.inject({ url: `/api/v1/cases?ids=${c.id}`, headers: fx.as.sup });
      assert.deepEqual(list.json(), asJson(await listCases(db, sup, { ids: [c.id], limit: 1 })));
      assert.equal(list.json().items.length, 1);

      const history = await fx.t.app.inject({ url: `/api/v1/cases/${c.id}/history`, headers: fx.as.sup });
      const entries = await getCaseHistory(db, sup, c.id);
      assert.ok(entries.entries.some((e) => Object.keys(e.params).length > 0));
      assert.deepEqual(history.json(), asJson(entries));

      const whistles = await fx.t.app.inject({
        url: '/api/v1/linkage/whistles?state=all',
        headers: fx.as.disp,
      });
      const listed = await listWhistles(db, await principal('disp'), { state: 'all', limit: 100, offset: 0 });
      assert.deepEqual(whistles.json(), asJson(listed));
    });
  });
}
