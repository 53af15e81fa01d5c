import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import {
  createUser,
  issueApiKey,
  type Permission,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
  systemActor,
} from '../../identity/index.ts';
import { addUser, bearer, loginAs } from '../../identity/testing.ts';
import { type CaseFixture, caseFixture, TO_IN_PROGRESS } from '../testing.ts';
import { renderTransitionTable, TRANSITIONS } from '../rules/transitions.ts';

describe('transition table', () => {
  it('no role belongs to two of the supervision, command and department tracks', () => {
    const tracksOf = new Map<Role, Set<string>>();
    for (const t of TRANSITIONS)
      for (const r of t.roles) {
        if (!tracksOf.has(r)) tracksOf.set(r, new Set());
        tracksOf.get(r)!.add(t.track);
      }
    for (const [role, tracks] of tracksOf) {
      const core = [...tracks].filter((t) => ['supervision', 'command', 'department'].includes(t));
      assert.ok(core.length <= 1, `${role} crosses tracks: ${core.join(', ')}`);
    }
    const handlers = TRANSITIONS.find((t) => t.action === 'handle')!.roles;
    for (const a of ['verify', 'close', 'file'])
      assert.deepEqual(
        TRANSITIONS.find((t) => t.action === a)!.roles.filter((r) => handlers.includes(r)),
        [],
        `handlers never ${a}`,
      );
  });

  it("every role of an action grants the action's permission", () => {
    for (const t of TRANSITIONS)
      for (const r of t.roles)
        assert.ok(ROLE_PERMISSIONS[r].includes(t.permission), `${r} may ${t.action} without ${t.permission}`);
  });

  it('docs/case-workflow.md shows the current table', () => {
    const doc = readFileSync(new URL('../../../docs/case-workflow.md', import.meta.url), 'utf8');
    assert.ok(doc.includes(renderTransitionTable()), 'regenerate the table in docs/case-workflow.md');
  });
});

for (const backend of testBackends()) {
  describe(`track violations (${backend})`, () => {
    let fx: CaseFixture;
    const asRole = {} as Record<Role, { authorization: string }>;
    before(async () => {
      fx = await caseFixture(backend);
      for (const role of ROLES) {
        await addUser(fx.t, `v.${role}`, [role], role === 'citizen' ? {} : { divisionCodes: [fx.district] });
        asRole[role] = bearer(await loginAs(fx.t, `v.${role}`));
      }
    });
    after(() => fx.dispose());

    it('every action is refused (403 case.track_violation) for every role outside its track', async () => {
      const res = await fx.t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: asRole.citizen,
        payload: { channel: 'app', category: 'CM.E.01.01', location: fx.point, description: 'track test' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const c = res.json();
      let refused = 0;
      for (const t of TRANSITIONS)
        for (const role of ROLES) {
          const r = await fx.t.app.inject({
            method: 'POST',
            url: `/api/v1/cases/${c.id}/actions/${t.action}`,
            headers: asRole[role],
            payload: { version: c.version },
          });
          if (t.roles.includes(role)) {
            assert.notEqual(r.json().code, 'case.track_violation', `${role} may ${t.action}`);
          } else {
            assert.equal(r.statusCode, 403, `${role} ${t.action}: ${r.body}`);
            assert.equal(r.json().code, 'case.track_violation', `${role} ${t.action}`);
            refused++;
          }
        }
      assert.ok(refused > 150);
      const after = (await fx.get('sup', c.id)).version;
      // Only allowed roles in an allowed state could have changed it: `file` by supervision.
      assert.ok(after <= 3);
    });

    it("an API key reads and moves a case only within its scopes, whatever its account's roles", async () => {
      await createUser(
        fx.t.kernel.db,
        { username: 'svc.dispatch', displayName: 'Dispatch bridge', kind: 'service', roles: ['dispatcher'] },
        systemActor(fx.t.clock.now()),
      );
      const keyFor = async (...scopes: Permission[]) => {
        const issued = await issueApiKey(
          fx.t.kernel.db,
          { account: 'svc.dispatch', name: scopes.join('+'), scopes },
          systemActor(fx.t.clock.now()),
        );
        return { 'x-api-key': issued.key };
      };
      const orgOnly = await keyFor('org.read');
      const readOnly = await keyFor('case.read');
      const escalateOnly = await keyFor('case.escalate');
      const c = await fx.walk(TO_IN_PROGRESS);
      const call = (headers: Record<string, string>, method: 'GET' | 'POST', url: string, payload?: object) =>
        fx.t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      /** The stream's status, and the body of a refusal (a granted stream never ends). */
      const openStream = async (headers: Record<string, string>) => {
        const res = await fx.t.app.inject({ url: '/api/v1/stream', headers, payloadAsStream: true });
        let body = '';
        if (res.statusCode === 200) res.stream().destroy();
        else for await (const chunk of res.stream()) body += chunk;
        return { statusCode: res.statusCode, body };
      };
      const refused = async (res: { statusCode: number; body: string }, what: string) => {
        assert.equal(res.statusCode, 403, `${what}: ${res.body}`);
        assert.equal(JSON.parse(res.body).code, 'forbidden', what);
      };
      for (const url of [
        '/api/v1/cases',
        `/api/v1/cases/${c.id}`,
        `/api/v1/cases/${c.number}/history`,
        `/api/v1/cases/${c.id}/notifications`,
        '/api/v1/notifications',
      ])
        await refused(await call(orgOnly, 'GET', url), `org.read GET ${url}`);
      await refused(await openStream(orgOnly), 'org.read stream');
      await refused(await call(orgOnly, 'POST', '/api/v1/stream/tokens'), 'org.read stream ticket');
      for (const [action, params] of [
        ['escalate', { reason: 'no answer' }],
        ['supervise', { note: 'hurry' }],
      ] as const) {
        const url = `/api/v1/cases/${c.id}/actions/${action}`;
        await refused(
          await call(orgOnly, 'POST', url, { version: c.version, ...params }),
          `org.read ${action}`,
        );
        await refused(
          await call(readOnly, 'POST', url, { version: c.version, ...params }),
          `case.read ${action}`,
        );
      }

      const read = await call(readOnly, 'GET', `/api/v1/cases/${c.id}/history`);
      assert.equal(read.statusCode, 200, read.body);
      assert.equal((await openStream(readOnly)).statusCode, 200);

      await refused(await call(escalateOnly, 'GET', `/api/v1/cases/${c.id}`), 'case.escalate GET');
      const current = await fx.get('sup', c.id);
      const escalated = await call(escalateOnly, 'POST', `/api/v1/cases/${c.id}/actions/escalate`, {
        version: current.version,
        reason: 'the department does not answer',
      });
      assert.equal(escalated.statusCode, 200, escalated.body);
      assert.notEqual(escalated.json().escalationLevel, current.escalationLevel);
    });

    it('the discoverer never handles and the handler never verifies, even holding both roles', async () => {
      await addUser(fx.t, 'v.both', ['department_handler', 'grid_worker'], {
        departmentCodes: [fx.lead],
        divisionCodes: [fx.grid],
      });
      const both = bearer(await loginAs(fx.t, 'v.both'));
      const report = await fx.t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: both,
        payload: {
          channel: 'grid_patrol',
          category: 'CM.E.01.01',
          location: fx.point,
          description: 'found on patrol',
        },
      });
      assert.equal(report.statusCode, 201, report.body);
      let c = report.json();
      for (const [who, action] of [
        ['sup', 'file'],
        ['disp', 'dispatch'],
        ['handler', 'accept'],
      ] as const)
        c = (await fx.act(who, c.id, action, { version: c.version })).json();
      const r = await fx.t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${c.id}/actions/handle`,
        headers: both,
        payload: { version: c.version, evidence: ['x.jpg'] },
      });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().code, 'case.track_violation');
      c = (await fx.act('handler', c.id, 'handle', { version: c.version, evidence: ['y.jpg'] })).json();
      const v = await fx.act('handler', c.id, 'close', { version: c.version, note: 'done' });
      assert.equal(v.statusCode, 403);
    });
  });
}
