import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { coreCapabilities } from '../app.ts';
import { TRANSITIONS } from '../cases/index.ts';
import { systemActor } from './actor.ts';
import { issueApiKey } from './api-keys.ts';
import {
  hasPermission,
  PERMISSIONS,
  type Permission,
  type Principal,
  ROLES,
  type Role,
} from './permissions.ts';
import {
  answersOf,
  type DocumentedRoute,
  type RouteAnswers,
  SERVICE_CHECKED_ROUTES,
} from './permissions-doc.ts';
import { createUser } from './users.ts';
import {
  addUser,
  bearer,
  documentedRoutes,
  loginAs,
  type RegisteredRoute,
  routeCollector,
  TEST_PASSWORD,
} from './testing.ts';

const STREET = '330102001';
const DEPT = 'urban-mgmt';
const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];
const ACTIONS_ROUTE = '/api/v1/cases/:id/actions/:action';

/** Where each role's test user sits: scoped roles get the street or the department of the target. */
const scopeOf = (role: Role) =>
  role === 'street_officer' || role === 'grid_worker'
    ? { divisionCodes: [STREET] }
    : role === 'department_handler' || role === 'department_leader'
      ? { departmentCodes: [DEPT] }
      : {};

/** The platform's error `code` (problem+json), or the NGSI-LD problem `type`'s last segment. */
const codeOf = (body: string): string | undefined => {
  try {
    const json = JSON.parse(body);
    return json.code ?? (typeof json.type === 'string' ? json.type.split(':').pop() : undefined);
  } catch {
    return undefined;
  }
};

for (const backend of testBackends()) {
  describe(`permission matrix (${backend})`, () => {
    let t: TestApp;
    const registered: RegisteredRoute[] = [];
    let routes: DocumentedRoute[] = [];
    const tokens = new Map<Role, string>();
    const principals = new Map<Role, Principal>();
    /** One key per permission, scoped to it alone, on a service account holding every role. */
    const keys = new Map<Permission, string>();
    let targetId = '';
    let keyId = '';
    let n = 0;

    before(async () => {
      t = await buildTestApp(backend, { capabilities: [routeCollector(registered), ...coreCapabilities] });
      routes = documentedRoutes(registered);
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
      await createUser(
        t.kernel.db,
        { username: 'svc.everything', displayName: 'Every role', kind: 'service', roles: [...ROLES] },
        systemActor(t.clock.now()),
      );
      for (const permission of ALL_PERMISSIONS) {
        const issued = await issueApiKey(
          t.kernel.db,
          { account: 'svc.everything', name: `only ${permission}`, scopes: [permission] },
          systemActor(t.clock.now()),
        );
        keys.set(permission, issued.key);
      }
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

    test('every registered route declares its access (route metadata or the service-checked table)', () => {
      const undeclared = registered
        .filter((r) => !routes.some((d) => d.method === r.method && d.url === r.url))
        .map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(undeclared, []);
      assert.ok(routes.length >= 120, `only ${routes.length} routes collected`);
    });

    test('the service-checked table names only registered routes without metadata of their own', () => {
      for (const s of SERVICE_CHECKED_ROUTES) {
        const r = registered.find((x) => x.method === s.method && x.url === s.url);
        assert.ok(r, `${s.method} ${s.url} is not registered`);
        assert.equal(r.access, undefined, `${s.method} ${s.url} declares its own access`);
      }
    });

    test('only the session routes let any authenticated caller through without a permission', () => {
      // Every other route names the permission it needs, on the route or in ROUTE_ANSWERS, so
      // that API key scopes apply to it and the key matrix below checks it.
      const anyCaller = routes
        .filter((r) => {
          const a = answersOf(r);
          return r.access === 'authenticated' && !a.permissions && !a.requires;
        })
        .map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(anyCaller, ['POST /api/v1/auth/logout', 'GET /api/v1/auth/me']);
    });

    /** A minimal request: known ids, and bodies that pass the schema where the guard is not first. */
    const requestFor = (route: DocumentedRoute, action = 'file') => {
      const key = `${route.method} ${route.url}`;
      const url = route.url
        .replace(':id/sessions', `${targetId}/sessions`)
        .replace(/^\/api\/v1\/users\/:id/, `/api/v1/users/${targetId}`)
        .replace('/api-keys/:id', `/api-keys/${keyId}`)
        .replace('/notifications/:id/', '/notifications/1/')
        .replace('/actions/:action', `/actions/${action}`)
        .replace(':file', 'matrix-unknown.json')
        .replace(/:(\w+)/g, (_m, name: string) => (name === 'version' ? '999' : `matrix-${name}`));
      const query: Record<string, string> = {
        'GET /api/v1/divisions/locate': '?lat=1&lon=1',
        'GET /api/v1/responsibility/resolve': '?category=CM.E.01.01&lat=1&lon=1',
        'GET /api/v1/indicators': '?from=2026-03-01&to=2026-03-02',
        'GET /api/v1/indicators/rankings': '?from=2026-03-01&to=2026-03-02&by=district',
      };
      const payload = (() => {
        switch (key) {
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
          case 'POST /api/v1/cases':
            return {
              channel: 'hotline',
              category: 'CM.E.01.01',
              location: { lat: 1, lon: 1 },
              description: 'x',
            };
          case 'POST /api/v1/cases/:id/actions/:action':
            return { version: 1 };
          case 'POST /api/v1/webhooks':
            return { url: 'https://example.org/hook', events: ['case.*'] };
          case 'POST /api/v1/citizen/reports/:ref/rating':
            return { satisfaction: 'satisfied' };
          default:
            return route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
        }
      })();
      return {
        method: route.method,
        url: url + (query[key] ?? ''),
        ...(payload ? { payload } : {}),
      };
    };

    /** Whether a caller holding `holds` gets past the route's checks, by its access and answers. */
    const allowedBy = (route: DocumentedRoute, a: RouteAnswers, holds: (p: Permission) => boolean) =>
      a.permissions
        ? a.permissions.some(holds)
        : route.access === 'public' || route.access === 'authenticated' || holds(route.access);

    /** The route's requests: one per case action for the actions route, else one. */
    const variantsOf = (route: DocumentedRoute) => (route.url === ACTIONS_ROUTE ? TRANSITIONS : [undefined]);

    /** Calls the route with `headers` and checks the answer: through (`a.success`) or 403 `code`. */
    const expectAnswer = async (
      route: DocumentedRoute,
      action: string | undefined,
      headers: Record<string, string>,
      allowed: boolean,
      deniedCode: string,
      who: string,
    ) => {
      const a = answersOf(route);
      // Server-sent events never end: take the stream's answer once the headers are out, and
      // read the body only of a refusal (a stream granted by mistake would never end).
      const stream = route.url === '/api/v1/stream';
      const res = await t.app.inject({ ...requestFor(route, action), headers, payloadAsStream: stream });
      let body = '';
      if (stream && res.statusCode === 200) res.stream().destroy();
      else if (stream) for await (const chunk of res.stream()) body += chunk;
      else body = res.body;
      const what = `${who}${action ? ` ${action}` : ''}: ${res.statusCode} ${body.slice(0, 300)}`;
      if (!allowed) {
        assert.equal(res.statusCode, 403, what);
        assert.equal(codeOf(body), deniedCode, what);
      } else assert.equal(res.statusCode, a.success, what);
    };

    test('each route answers as documented to anonymous and to every role', async (ctx) => {
      for (const route of routes) {
        await ctx.test(`${route.method} ${route.url}`, async () => {
          const a = answersOf(route);
          const isPublic = route.access === 'public';
          const anon = await t.app.inject(requestFor(route));
          const anonExpected = a.anonymous ?? (isPublic ? a.success : 401);
          assert.equal(anon.statusCode, anonExpected, `anonymous: ${anon.body}`);
          if (anonExpected === 401) assert.equal(codeOf(anon.body), 'unauthenticated');
          for (const role of ROLES)
            for (const transition of variantsOf(route)) {
              // Logging out ends the session: each role logs out a fresh one.
              const token =
                route.url === '/api/v1/auth/logout' ? await loginAs(t, `role.${role}`) : tokens.get(role)!;
              const holds = (p: Permission) => hasPermission(principals.get(role)!, p);
              // An action needs a role of its track first, then its permission.
              const onTrack = !transition || transition.roles.includes(role);
              const allowed =
                onTrack && (transition ? holds(transition.permission) : allowedBy(route, a, holds));
              const code = !onTrack ? 'case.track_violation' : (a.deniedCode ?? 'forbidden');
              await expectAnswer(route, transition?.action, bearer(token), allowed, code, role);
            }
        });
      }
    });

    test('an API key gets through exactly the routes its one scope allows, on an account with every role', async (ctx) => {
      let denied = 0;
      for (const route of routes) {
        await ctx.test(`${route.method} ${route.url}`, async () => {
          const a = answersOf(route);
          for (const scope of ALL_PERMISSIONS)
            for (const transition of variantsOf(route)) {
              const holds = (p: Permission) => p === scope;
              const allowed = transition ? holds(transition.permission) : allowedBy(route, a, holds);
              if (!allowed) denied++;
              const headers = { 'x-api-key': keys.get(scope)! };
              await expectAnswer(
                route,
                transition?.action,
                headers,
                allowed,
                a.deniedCode ?? 'forbidden',
                `key ${scope}`,
              );
            }
        });
      }
      // Most routes need one permission: a key of any other scope is refused there.
      assert.ok(denied > routes.length * (ALL_PERMISSIONS.length - 3), `only ${denied} refusals`);
    });
  });
}
