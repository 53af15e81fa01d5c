import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { addUser, bearer, loginAs } from '../identity/testing.ts';
import { appendAudit } from './index.ts';

for (const backend of testBackends()) {
  describe(`audit API (${backend})`, () => {
    let t: TestApp;
    let auditor: string;
    before(async () => {
      t = await buildTestApp(backend);
      await addUser(t, 'aud.itor', ['auditor']);
      auditor = await loginAs(t, 'aud.itor');
      for (let i = 0; i < 12; i++)
        await appendAudit(t.kernel.db, {
          actor: i % 2 ? 'odd' : 'even',
          action: 'case.transition',
          objectType: 'case',
          objectId: `C${i % 3}`,
          after: { i },
          at: new Date(Date.UTC(2026, 2, 3, i)),
        });
    });
    after(() => t.dispose());

    const get = (qs: string) => t.app.inject({ url: `/api/v1/audit${qs}`, headers: bearer(auditor) });

    test('filters by object, actor and time, newest first, and pages with a cursor', async () => {
      const byObject = (await get('?objectType=case&objectId=C1')).json();
      assert.deepEqual(
        byObject.items.map((r: { objectId: string }) => r.objectId),
        ['C1', 'C1', 'C1', 'C1'],
      );
      assert.ok(byObject.items[0].seq > byObject.items[1].seq);
      const byActor = (await get('?actor=odd&objectType=case')).json();
      assert.equal(byActor.items.length, 6);
      const byTime = (await get('?objectType=case&from=2026-03-03T02:00:00Z&to=2026-03-03T05:00:00Z')).json();
      assert.equal(byTime.items.length, 3);
      const page1 = (await get('?objectType=case&limit=5')).json();
      assert.equal(page1.items.length, 5);
      const page2 = (await get(`?objectType=case&limit=5&cursor=${page1.nextCursor}`)).json();
      const page3 = (await get(`?objectType=case&limit=5&cursor=${page2.nextCursor}`)).json();
      assert.equal(page3.items.length, 2);
      assert.equal(page3.nextCursor, null);
      const seqs = [...page1.items, ...page2.items, ...page3.items].map((r: { seq: number }) => r.seq);
      assert.equal(new Set(seqs).size, 12);
      assert.equal((await get('?from=yesterday')).statusCode, 400);
    });

    test('the head can be exported and verification answers with it', async () => {
      const head = (await t.app.inject({ url: '/api/v1/audit/head', headers: bearer(auditor) })).json();
      assert.match(head.hash, /^[0-9a-f]{64}$/);
      const verify = await t.app.inject({
        method: 'POST',
        url: '/api/v1/audit/verify',
        headers: bearer(auditor),
        payload: { anchor: { seq: head.seq, hash: head.hash } },
      });
      assert.equal(verify.json().ok, true);
      assert.deepEqual(verify.json().head, { seq: head.seq, hash: head.hash });
    });

    test('verification over HTTP names the first bad record', async () => {
      await sql`alter table audit_record disable trigger user`.execute(t.kernel.db);
      await sql`update audit_record set object_id = 'C9' where seq = 5`.execute(t.kernel.db);
      await sql`alter table audit_record enable trigger user`.execute(t.kernel.db);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/audit/verify',
        headers: bearer(auditor),
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().ok, false);
      assert.equal(res.json().firstBadSeq, 5);
    });
  });
}
