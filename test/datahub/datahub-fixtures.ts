/** Shared set-up of the data hub tests: a service key with device and ingestion rights, devices. */
import {
  createUser,
  issueApiKey,
  type Permission,
  type Role,
  systemActor,
} from '../../src/identity/index.ts';
import type { TestApp } from '../support/app.ts';

/** Creates a service account with the roles and returns an API key with the scopes. */
export async function serviceKey(
  app: TestApp,
  name = 'datahub-svc',
  roles: Role[] = ['admin'],
  scopes: Permission[] = ['device.read', 'device.write', 'observation.ingest'],
  scope: { divisionCodes?: string[]; departmentCodes?: string[] } = {},
): Promise<string> {
  const actor = systemActor(app.clock.now());
  await createUser(
    app.kernel.db,
    { username: name, displayName: name, kind: 'service', roles, ...scope },
    actor,
  );
  const issued = await issueApiKey(app.kernel.db, { account: name, name: `${name} key`, scopes }, actor);
  return issued.key;
}

/** Registers a device over HTTP and returns its key. */
export async function addDevice(
  app: TestApp,
  adminKey: string,
  body: Record<string, unknown>,
): Promise<{ key: string; device: Record<string, unknown> }> {
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/v1/devices',
    headers: { 'x-api-key': adminKey },
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`register ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** Posts observations. */
export function postObservations(app: TestApp, key: string, payload: unknown, query = '') {
  return app.app.inject({
    method: 'POST',
    url: `/api/v1/observations${query}`,
    headers: { 'x-api-key': key },
    payload: payload as Record<string, unknown>,
  });
}
