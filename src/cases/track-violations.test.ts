import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../test/support/storage.ts';
import { ROLES, type Role } from '../identity/index.ts';
import { addUser, bearer, loginAs } from '../identity/testing.ts';
import { type CaseFixture, caseFixture } from './testing.ts';
import { renderTransitionTable, TRANSITIONS } from './transitions.ts';

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

  it('docs/case-workflow.md shows the current table', () => {
    const doc = readFileSync(new URL('../../docs/case-workflow.md', import.meta.url), 'utf8');
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
