/** Test fixtures for identity-aware suites: users per role, logins, bearer headers. */
import type { TestApp } from '../../test/support/app.ts';
import { systemActor } from './actor.ts';
import type { Role } from './permissions.ts';
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
