import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { coreCapabilities } from '../app.ts';
import type { Capability } from '../kernel/index.ts';
import { systemActor } from './actor.ts';
import { issueApiKey } from './api-keys.ts';
import { hasPermission, type Principal, ROLES, type Role } from './permissions.ts';
import { PROTECTED_ROUTES, type ProtectedRoute } from './permissions-doc.ts';
import { createUser } from './users.ts';
import { addUser, bearer, loginAs, TEST_PASSWORD } from './testing.ts';

const STREET = '330102001';
const DEPT = 'urban-mgmt';
const OWNED = /^\/api\/v1\/(auth|users|api-keys|audit)(\/|$)/;

/** Where each role's test user sits: scoped roles get the street or the department of the target. */
const scopeOf = (role: Role) =>
  role === 'street_officer' || role === 'grid_worker'
    ? { divisionCodes: [STREET] }
    : role === 'department_handler' || role === 'department_leader'
      ? { departmentCodes: [DEPT] }
      : {};

for (const backend of testBackends()) {
  describe(`permission matrix (${backend})`, () => {
    let t: TestApp;
    const registered: string[] = [];
    const tokens = new Map<Role, string>();
    const principals = new Map<Role, Principal>();
    let targetId = '';
    let keyId = '';
    let n = 0;

    before(async () => {
      const collector: Capability = {
        name: 'route-collector',
        routes(app) {
          app.addHook('onRoute', (r) => {
            for (const m of [r.method].flat())
              if (OWNED.test(r.url) && m !== 'HEAD') registered.push(`${m} ${r.url}`);
          });
        },
      };
      t = await buildTestApp(backend, { capabilities: [collector, ...coreCapabilities] });
      const target = await addUser(t, 'target.user', ['grid_worker'], {
        divisionCodes: [`${STREET}00101`],
        departmentCodes: [DEPT],
      });
      targetId = target.id;
      await createUser(
        t.kernel.db,
        { username: 'svc.sensor', displayName: 'Sensor gateway', kind: 'service', roles: ['grid_worker'] },
        systemActor(t.clock.now()),
      );
      keyId = (
        await issueApiKey(
          t.kernel.db,
          { account: 'svc.sensor', name: 'k', scopes: ['case.read'] },
          systemActor(t.clock.now()),
        )
      ).id;
      for (const role of ROLES) {
        const user = await addUser(t, `role.${role}`, [role], scopeOf(role));
        tokens.set(role, await loginAs(t, `role.${role}`));
        principals.set(role, {
          kind: 'user',
          id: user.id,
          username: user.username,
          roles: [role],
          departmentCodes: user.departmentCodes,
          divisionCodes: user.divisionCodes,
        });
      }
    });
    after(() => t.dispose());

    test('every owned route is documented in the matrix', () => {
      const documented = PROTECTED_ROUTES.map((r) => `${r.method} ${r.url}`).sort();
      assert.deepEqual([...new Set(registered)].sort(), documented);
    });

    const requestFor = (route: ProtectedRoute) => {
      const url = route.url.replace(':id', route.url.startsWith('/api/v1/api-keys') ? keyId : targetId);
      const payload = (() => {
        switch (`${route.method} ${route.url}`) {
          case 'POST /api/v1/auth/login':
            return { username: 'target.user', password: TEST_PASSWORD };
          case 'POST /api/v1/users':
            return {
              username: `made.${++n}`,
              password: 'Matrix-pass-123',
              roles: ['grid_worker'],
              divisionCodes: [STREET],
            };
          case 'PATCH /api/v1/users/:id':
            return { displayName: `Target ${++n}` };
          case 'POST /api/v1/users/:id/password':
            return { password: TEST_PASSWORD };
          case 'POST /api/v1/api-keys':
            return { account: 'svc.sensor', name: `k${++n}`, scopes: ['case.read'] };
          case 'POST /api/v1/audit/verify':
            return {};
          default:
            return undefined;
        }
      })();
      return { method: route.method, url, ...(payload ? { payload } : {}) };
    };

    for (const route of PROTECTED_ROUTES) {
      test(`${route.method} ${route.url} answers as documented to anonymous and every role`, async () => {
        const anon = await t.app.inject(requestFor(route));
        const anonExpected = route.access === 'public' ? route.success : 401;
        assert.equal(anon.statusCode, anonExpected, `anonymous: ${anon.body}`);
        if (anonExpected >= 400) assert.match(anon.headers['content-type'] as string, /problem\+json/);
        for (const role of ROLES) {
          const res = await t.app.inject({ ...requestFor(route), headers: bearer(tokens.get(role)!) });
          const allowed =
            route.access === 'public' ||
            route.access === 'authenticated' ||
            hasPermission(principals.get(role)!, route.access);
          const expected = allowed ? route.success : 403;
          assert.equal(res.statusCode, expected, `${role}: ${res.body}`);
          if (!allowed) assert.equal(res.json().code, 'forbidden');
        }
      });
    }
  });
}
