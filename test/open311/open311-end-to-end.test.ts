/**
 * End to end: a report posted through Open311 is filed, dispatched, accepted, handled,
 * verified and closed through the native case API by the right roles, and Open311
 * `GET requests` shows each step; the reporter's contact is told of each step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Open311Request } from '../../src/participation/index.ts';
import { form, type ParticipationFixture, participationFixture, SERVICE } from '../participation/fixture.ts';
import { testBackends } from '../support/storage.ts';
import { assertSchema, fetchBoth } from './open311-support.ts';

for (const backend of testBackends()) {
  describe(`Open311 end to end through the closed loop (${backend})`, () => {
    let fx: ParticipationFixture;
    before(async () => {
      fx = await participationFixture(backend);
    });
    after(() => fx.dispose());

    it('each step of the native workflow shows in GET requests', async () => {
      const posted = await fetch(`${fx.open311}/requests.json`, {
        method: 'POST',
        body: form({
          api_key: fx.apiKey,
          service_code: SERVICE,
          lat: fx.point.lat,
          long: fx.point.lon,
          address_string: '澜湖市人民路 12 号公交站',
          description: '公交站旁暴露垃圾，气味很大',
          email: 'reporter@example.cn',
          phone: '13912345678',
          device_id: 'ios-7f3a',
          first_name: '小明',
          last_name: '王',
        }),
      });
      const body = await posted.json();
      assert.equal(posted.status, 200, JSON.stringify(body));
      const id = body[0].service_request_id as string;

      const seen: Array<{ status: string; state: string; agency: string | null; expected: string | null }> =
        [];
      const look = async () => {
        const { json } = await fetchBoth<Open311Request[]>(
          `${fx.open311}/requests.json?service_request_id=${id}`,
          'service_requests',
        );
        assertSchema('requests.json', json);
        const r = json[0];
        seen.push({
          status: r.status,
          state: r.onecity_state,
          agency: r.agency_responsible,
          expected: r.expected_datetime,
        });
        const one = await (await fetch(`${fx.open311}/requests/${id}.json`)).json();
        assert.equal(one[0].onecity_state, r.onecity_state);
        return r;
      };
      const act = async (who: string, action: string, params: Record<string, unknown> = {}) => {
        const current = await fx.t.app.inject({
          method: 'GET',
          url: `/api/v1/cases/${id}`,
          headers: fx.as.sup,
        });
        const res = await fx.t.app.inject({
          method: 'POST',
          url: `/api/v1/cases/${id}/actions/${action}`,
          headers: fx.as[who],
          payload: { version: current.json().version, ...params },
        });
        assert.equal(res.statusCode, 200, `${who} ${action}: ${res.body}`);
      };

      let r = await look();
      assert.equal(r.status, 'open');
      assert.equal(r.onecity_state, 'reported');
      assert.equal(r.agency_responsible, null);
      assert.equal(r.description, '公交站旁暴露垃圾，气味很大');

      await act('sup', 'file');
      await look();
      await act('disp', 'dispatch');
      r = await look();
      assert.ok(r.agency_responsible, 'the lead department is named once dispatched');
      assert.notEqual(r.agency_responsible, fx.lead, 'by its name, not its code');
      await act('handler', 'accept');
      r = await look();
      assert.match(
        r.expected_datetime ?? '',
        /^2026-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/,
        'the SLA handling deadline',
      );
      await act('handler', 'handle', { evidence: ['photo:after-cleanup'], note: '已清运' });
      await look();
      await act('sup', 'verify', { result: 'pass' });
      r = await look();
      assert.equal(r.status, 'closed');
      assert.equal(r.updated_datetime, r.requested_datetime, 'closed at the (frozen) test clock');

      assert.deepEqual(
        seen.map((s) => `${s.status}:${s.state}`),
        [
          'open:reported',
          'open:filed',
          'open:dispatched',
          'open:in_progress',
          'open:handled',
          'closed:closed',
        ],
      );
      const closedList = await (await fetch(`${fx.open311}/requests.json?status=closed`)).json();
      assert.deepEqual(
        closedList.map((x: { service_request_id: string }) => x.service_request_id),
        [id],
      );
      // Nothing personal on the public face, not even the typed address.
      const text = JSON.stringify(closedList);
      for (const pii of ['reporter@example.cn', '13912345678', '王', '人民路'])
        assert.ok(!text.includes(pii), pii);

      // The reporter heard of each step (through the notifier; contact kept, never logged).
      const updates = fx.notifier.updates.filter((u) => u.caseNumber === id);
      assert.deepEqual(
        updates.map((u) => u.state),
        ['filed', 'dispatched', 'in_progress', 'handled', 'closed'],
      );
      assert.equal(updates[0].contact.email, 'reporter@example.cn');
      assert.equal(updates[0].contact.deviceId, 'ios-7f3a');
    });

    it('a staff key (case.read) sees the exact point and address', async () => {
      const { issueApiKey, createUser, systemActor } = await import('../../src/identity/index.ts');
      await createUser(
        fx.t.kernel.db,
        {
          username: 'app.staff',
          displayName: 'Staff app',
          kind: 'service',
          roles: ['supervision_operator'],
        } as never,
        systemActor(fx.t.clock.now()),
      );
      const key = await issueApiKey(
        fx.t.kernel.db,
        { account: 'app.staff', name: 'staff', scopes: ['case.read'] },
        systemActor(fx.t.clock.now()),
      );
      const list = await (
        await fetch(`${fx.open311}/requests.json`, { headers: { 'x-api-key': key.key } })
      ).json();
      assertSchema('requests.json', list);
      assert.equal(list[0].address, '澜湖市人民路 12 号公交站');
      assert.equal(list[0].lat, fx.point.lat);
    });
  });
}
