/** Test fixtures for identity-aware suites: users per role, logins, bearer headers. */
import type { TestApp } from '../../test/support/app.ts';
import type { Capability } from '../kernel/index.ts';
import { systemActor } from './actor.ts';
import { accessOfRoute, type RouteAccess } from './authenticate.ts';
import type { Role } from './permissions.ts';
import { type DocumentedRoute, SERVICE_CHECKED_ROUTES } from './permissions-doc.ts';
import { createUser, type UserView } from './users.ts';

/** The password every fixture user gets. */
export const TEST_PASSWORD = 'Correct-horse-42';
/** The admin password test apps boot with (set before building them). */
export const TEST_ADMIN_PASSWORD = 'Chief-of-city-2026';
process.env.ONECITY_ADMIN_PASSWORD = TEST_ADMIN_PASSWORD;

/** Creates a user directly through the service, as the platform. */
export function addUser(
  t: TestApp,
  username: string,
  roles: Role[],
  scope: { departmentCodes?: string[]; divisionCodes?: string[]; phone?: string; email?: string } = {},
): Promise<UserView> {
  return createUser(
    t.kernel.db,
    { username, displayName: `Test ${username}`, password: TEST_PASSWORD, roles, ...scope },
    systemActor(t.clock.now()),
  );
}

/** Logs in and returns the bearer token. */
export async function loginAs(t: TestApp, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  return res.json().token;
}

/** `{ authorization: 'Bearer …' }` */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A route as registered, with the access it declares (undefined: none). */
export interface RegisteredRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  access: RouteAccess | undefined;
}

const DOCUMENTED = /^\/(api\/v1|open311\/v2|ngsi-ld\/v1)\//;

/**
 * A capability that records every documented route (`/api/v1`, `/open311/v2`, `/ngsi-ld/v1`)
 * registered after it; list it first.
 */
export function routeCollector(into: RegisteredRoute[]): Capability {
  return {
    name: 'route-collector',
    create: () => ({
      routes(app) {
        app.addHook('onRoute', (r) => {
          if (!DOCUMENTED.test(r.url)) return;
          for (const m of [r.method].flat())
            if (m !== 'HEAD' && m !== 'OPTIONS')
              into.push({ method: m as RegisteredRoute['method'], url: r.url, access: accessOfRoute(r) });
        });
      },
    }),
  };
}

/** The registered routes with their access: route metadata, else the reviewed service-checked table. */
export function documentedRoutes(registered: readonly RegisteredRoute[]): DocumentedRoute[] {
  const table = new Map(SERVICE_CHECKED_ROUTES.map((r) => [`${r.method} ${r.url}`, r.access]));
  const seen = new Set<string>();
  const out: DocumentedRoute[] = [];
  for (const r of registered) {
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const access = r.access ?? table.get(key);
    if (access) out.push({ method: r.method, url: r.url, access });
  }
  return out;
}
