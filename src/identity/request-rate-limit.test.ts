import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { registerDevice } from '../datahub/index.ts';
import { systemActor } from './actor.ts';
import { issueApiKey } from './api-keys.ts';
import { addUser, bearer, TEST_PASSWORD } from './testing.ts';
import { createUser } from './users.ts';

// The limit lives in each node's memory, the same on every storage engine: one backend is enough.
describe('request rate limit', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let key: string;
  before(async () => {
    t = await buildTestApp('pglite', {
      env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_SERVICE_PER_MINUTE: '5' },
    });
    for (const [i, name] of ['ada', 'ben'].entries()) {
      await addUser(t, name, ['auditor']);
      // Each login from its own address: logging in is anonymous, counted by address.
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: name, password: TEST_PASSWORD },
        remoteAddress: `10.20.0.${i + 1}`,
      });
      tokens[name] = res.json().token;
    }
    const now = t.clock.now();
    await createUser(
      t.kernel.db,
      { username: 'feed', displayName: 'Feed', kind: 'service', roles: ['auditor'] },
      systemActor(now),
    );
    key = (
      await issueApiKey(
        t.kernel.db,
        { account: 'feed', name: 'feed', scopes: ['user.read'] },
        systemActor(now),
      )
    ).key;
  });
  after(() => t.dispose());

  const me = (headers: Record<string, string>, remoteAddress = '10.21.0.1') =>
    t.app.inject({ url: '/api/v1/auth/me', headers, remoteAddress });

  test('a signed-in user past the limit gets 429 problem+json with Retry-After, wherever he calls from', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await me(bearer(tokens.ada), `10.21.0.${i + 1}`)).statusCode, 200);
    const res = await me(bearer(tokens.ada), '10.21.0.9');
    assert.equal(res.statusCode, 429);
    assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
    const body = res.json();
    assert.equal(body.code, 'too_many_requests');
    assert.equal(body.status, 429);
    assert.equal(body.type, 'urn:onecity:problem:too_many_requests');
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers['retry-after']}`);
    assert.equal(body.retryAfterSeconds, retryAfter);
    // Another user, from the same address, has an allowance of his own.
    assert.equal((await me(bearer(tokens.ben), '10.21.0.9')).statusCode, 200);
  });

  test('anonymous callers are counted by address', async () => {
    const board = (remoteAddress: string) =>
      t.app.inject({ url: '/api/v1/public/divisions.geojson', remoteAddress });
    for (let i = 0; i < 3; i++) assert.equal((await board('10.22.0.1')).statusCode, 200);
    const res = await board('10.22.0.1');
    assert.equal(res.statusCode, 429);
    assert.equal(res.json().code, 'too_many_requests');
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.equal((await board('10.22.0.2')).statusCode, 200);
  });

  test('Open311 answers the limit in its own error format, with Retry-After', async () => {
    const services = () => t.app.inject({ url: '/open311/v2/services.json', remoteAddress: '10.23.0.1' });
    for (let i = 0; i < 3; i++) assert.equal((await services()).statusCode, 200);
    const res = await services();
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    const [error] = res.json();
    assert.equal(error.code, 429);
    assert.match(error.description, /requests a minute/);
  });

  test('service accounts have their own, larger allowance', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await me({ 'x-api-key': key }, '10.24.0.1')).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  test('device keys are counted per device with the service allowance, not by their address', async () => {
    const hub = (t.app as unknown as { datahub: Parameters<typeof registerDevice>[1] }).datahub;
    const actor = { ...systemActor(t.clock.now()), bus: t.kernel.bus };
    const keys: string[] = [];
    for (const id of ['noise-a', 'noise-b'])
      keys.push(
        (await registerDevice(t.kernel.db, hub, { id, name: id, sensorType: 'noise-monitor' }, actor)).key,
      );
    const post = (deviceKey: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'x-api-key': deviceKey },
        payload: [],
        remoteAddress: '10.26.0.1',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(keys[0])).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal((await post(keys[1])).statusCode, 200, 'another device behind the same address');
  });

  test('health checks are never limited', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await t.app.inject({ url: '/healthz', remoteAddress: '10.25.0.1' })).statusCode, 200);
  });
});
