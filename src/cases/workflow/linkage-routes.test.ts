import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import { type CaseFixture, caseFixture, TO_IN_PROGRESS } from '../testing.ts';

const MIN = 60_000;

for (const backend of testBackends()) {
  describe(`GET /api/v1/linkage/whistles (${backend})`, () => {
    let fx: CaseFixture;
    before(async () => {
      fx = await caseFixture(backend);
    });
    after(async () => {
      await fx.dispose();
    });

    const list = (who: string, query = '') =>
      fx.t.app.inject({ method: 'GET', url: `/api/v1/linkage/whistles${query}`, headers: fx.as[who] });

    it('lists open whistles with who reported in and who missed, inside the jurisdiction', async () => {
      const c = await fx.walk(TO_IN_PROGRESS);
      let r = await fx.act('street', c.id, 'whistle', { departments: [fx.lead, fx.other], note: 'joint' });
      assert.equal(r.statusCode, 200, r.body);
      r = await fx.act('handler', c.id, 'report-in');
      assert.equal(r.statusCode, 200, r.body);
      fx.t.clock.advance(31 * MIN);
      await fx.t.kernel.scheduler.runDue();

      r = await list('disp');
      assert.equal(r.statusCode, 200, r.body);
      const whistle = r.json().items.find((w: { caseId: string }) => w.caseId === c.id);
      assert.ok(whistle, 'the dispatcher sees the open whistle');
      assert.equal(whistle.caseNumber, c.number);
      assert.equal(whistle.note, 'joint');
      assert.equal(whistle.pending, 1);
      assert.equal(whistle.missed, 1);
      const by = Object.fromEntries(
        whistle.departments.map((d: { department: string }) => [d.department, d]),
      ) as Record<string, { reportedInAt: string | null; missed: boolean }>;
      assert.ok(by[fx.lead]!.reportedInAt);
      assert.equal(by[fx.other]!.missed, true);

      // The street officer who whistled sees it; the citizen (no case.read) does not.
      r = await list('street');
      assert.ok(r.json().items.some((w: { caseId: string }) => w.caseId === c.id));
      assert.equal((await list('citizen')).statusCode, 403);
      assert.equal(
        (await fx.t.app.inject({ method: 'GET', url: '/api/v1/linkage/whistles' })).statusCode,
        401,
      );
      assert.equal((await list('disp', '?state=bogus')).statusCode, 400);

      // Once every department has reported in, the whistle is no longer open.
      r = await fx.act('other', c.id, 'report-in');
      assert.equal(r.statusCode, 200, r.body);
      r = await list('disp');
      assert.ok(!r.json().items.some((w: { caseId: string }) => w.caseId === c.id));
      r = await list('disp', '?state=all');
      assert.ok(
        r.json().items.some((w: { caseId: string; pending: number }) => w.caseId === c.id && w.pending === 0),
      );
    });
  });
}
