import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { systemActor } from './actor.ts';
import { issueApiKey, revokeApiKey } from './api-keys.ts';
import type { Principal } from './permissions.ts';
import {
  type CachedPrincipal,
  PRINCIPAL_INVALIDATED,
  PrincipalCache,
  principalInvalidatedEvent,
} from './principal-cache.ts';
import { IDENTITY } from './index.ts';
import { addUser, bearer, loginAs } from './testing.ts';
import { createUser, updateUser } from './users.ts';

const principal = (id: string): Principal => ({
  kind: 'user',
  id,
  username: id,
  roles: ['dispatcher'],
  departmentCodes: [],
  divisionCodes: [],
});
const entry = (userId: string, extra: Partial<CachedPrincipal> = {}): CachedPrincipal => ({
  principal: principal(userId),
  userId,
  expiresAtMs: null,
  ...extra,
});

describe('principal cache', () => {
  test('entries live for the TTL, then are looked up again', () => {
    let now = 0;
    const cache = new PrincipalCache({ ttlMs: 1000, maxEntries: 10, now: () => now });
    cache.set('a', entry('u1'), cache.generation);
    now = 999;
    assert.equal(cache.get('a')?.userId, 'u1');
    now = 1000;
    assert.equal(cache.get('a'), undefined);
  });

  test('a TTL of 0 caches nothing', () => {
    const cache = new PrincipalCache({ ttlMs: 0, maxEntries: 10 });
    cache.set('a', entry('u1'), cache.generation);
    assert.equal(cache.get('a'), undefined);
  });

  test('the size is bounded and the least recently used goes first', () => {
    const cache = new PrincipalCache({ ttlMs: 60_000, maxEntries: 2 });
    cache.set('a', entry('u1'), cache.generation);
    cache.set('b', entry('u2'), cache.generation);
    assert.ok(cache.get('a'));
    cache.set('c', entry('u3'), cache.generation);
    assert.equal(cache.size, 2);
    assert.ok(cache.get('a'));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('c'));
  });

  test('invalidation by user, session or key drops only what it names', () => {
    const cache = new PrincipalCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.set('s1', entry('u1', { sessionId: 'sess-1' }), cache.generation);
    cache.set('s2', entry('u1', { sessionId: 'sess-2' }), cache.generation);
    cache.set('k1', entry('u2', { apiKeyId: 'key-1' }), cache.generation);
    cache.set('k2', entry('u3', { apiKeyId: 'key-2' }), cache.generation);
    cache.invalidate({ sessionIds: ['sess-1'] });
    assert.deepEqual([cache.get('s1'), !!cache.get('s2')], [undefined, true]);
    cache.invalidate({ apiKeyIds: ['key-1'] });
    assert.deepEqual([cache.get('k1'), !!cache.get('k2')], [undefined, true]);
    cache.invalidate({ userId: 'u1' });
    assert.deepEqual([cache.get('s2'), !!cache.get('k2')], [undefined, true]);
  });

  test('a lookup that raced an invalidation does not store its result', () => {
    const cache = new PrincipalCache({ ttlMs: 60_000, maxEntries: 10 });
    const generation = cache.generation; // the lookup starts…
    cache.invalidate({ userId: 'u1' }); // …a revocation commits meanwhile…
    cache.set('a', entry('u1'), generation); // …and the lookup's (stale) answer is not kept.
    assert.equal(cache.get('a'), undefined);
  });
});

for (const backend of testBackends()) {
  describe(`cached principals on a server (${backend})`, () => {
    let t: TestApp;
    const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/auth/me', headers });
    before(async () => {
      t = await buildTestApp(backend, { env: {} });
      await addUser(t, 'alice', ['dispatcher']);
      await addUser(t, 'dave', ['dispatcher']);
      await addUser(t, 'erin', ['dispatcher']);
      await createUser(
        t.kernel.db,
        { username: 'sensor-gw', displayName: 'gateway', kind: 'service', roles: ['admin'] },
        systemActor(t.clock.now()),
      );
    });
    after(() => t.dispose());

    test('a session is read from the database once, then served from the cache', async () => {
      const token = await loginAs(t, 'alice');
      const cache = t.services(IDENTITY).principalCache;
      const before = cache.size;
      assert.equal((await me(bearer(token))).statusCode, 200);
      assert.equal(cache.size, before + 1);
      // Even with the session row gone, the cached principal answers until invalidated…
      await t.kernel.db.updateTable('identity_session').set({ revoked_at: t.clock.now() }).execute();
      assert.equal((await me(bearer(token))).statusCode, 200);
      // …which another node's revocation does through the bus.
      const { id: userId } = (await me(bearer(token))).json();
      await t.kernel.bus.publish(principalInvalidatedEvent({ userId }, t.clock.now()));
      const res = await me(bearer(token));
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'auth.token_revoked');
    });

    test('logout stops the token at once on this node', async () => {
      const token = await loginAs(t, 'alice');
      assert.equal((await me(bearer(token))).statusCode, 200);
      const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) });
      assert.equal(out.statusCode, 204);
      const res = await me(bearer(token));
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'auth.token_revoked');
    });

    test("revoking a user's sessions, disabling the user and changing roles apply at once", async () => {
      const admin = await loginAs(t, 'admin', process.env.ONECITY_ADMIN_PASSWORD);
      const dave = await loginAs(t, 'dave');
      const daveMe = (await me(bearer(dave))).json();
      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${daveMe.id}/sessions`,
        headers: bearer(admin),
      });
      assert.ok(revoke.statusCode < 300, revoke.body);
      assert.equal((await me(bearer(dave))).json().code, 'auth.token_revoked');

      const erin = await loginAs(t, 'erin');
      const erinMe = (await me(bearer(erin))).json();
      assert.deepEqual(erinMe.roles, ['dispatcher']);
      // A role change through the service without a bus still invalidates here when the
      // actor carries the app's cache.
      const local = { ...systemActor(t.clock.now()), principalCache: t.services(IDENTITY).principalCache };
      await updateUser(t.kernel.db, erinMe.id, { roles: ['auditor'] }, local);
      assert.deepEqual((await me(bearer(erin))).json().roles, ['auditor']);
      await updateUser(t.kernel.db, erinMe.id, { disabled: true }, local);
      const res = await me(bearer(erin));
      assert.equal(res.statusCode, 401);
      assert.ok(['auth.token_revoked', 'auth.account_disabled'].includes(res.json().code));
    });

    test('a revoked API key stops working at once, even when cached', async () => {
      const actor = { ...systemActor(t.clock.now()), principalCache: t.services(IDENTITY).principalCache };
      const { id, key } = await issueApiKey(
        t.kernel.db,
        { account: 'sensor-gw', name: 'gw', scopes: ['device.read'] },
        actor,
      );
      const first = await me({ 'x-api-key': key });
      assert.equal(first.statusCode, 200);
      assert.deepEqual(first.json().permissions, ['device.read']);
      assert.equal((await me({ 'x-api-key': key })).statusCode, 200);
      await revokeApiKey(t.kernel.db, id, actor);
      const res = await me({ 'x-api-key': key });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'auth.api_key_revoked');
    });

    test('expiry is checked on every cache hit against the platform clock', async () => {
      const token = await loginAs(t, 'alice');
      assert.equal((await me(bearer(token))).statusCode, 200);
      const { id, key } = await issueApiKey(
        t.kernel.db,
        {
          account: 'sensor-gw',
          name: 'short',
          scopes: ['device.read'],
          expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
        },
        systemActor(t.clock.now()),
      );
      assert.ok(id);
      assert.equal((await me({ 'x-api-key': key })).statusCode, 200);
      t.clock.advance(8 * 3600_000 + 1);
      const expired = await me(bearer(token));
      assert.equal(expired.statusCode, 401);
      assert.equal(expired.json().code, 'auth.token_expired');
      const keyExpired = await me({ 'x-api-key': key });
      assert.equal(keyExpired.json().code, 'auth.api_key_expired');
    });

    test('the invalidation event travels on the bus for other nodes', async () => {
      const seen: unknown[] = [];
      const off = t.kernel.bus.subscribe(PRINCIPAL_INVALIDATED, (e) => {
        seen.push(e.data);
      });
      const token = await loginAs(t, 'alice');
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) });
      off();
      assert.equal(seen.length, 1);
      assert.equal((seen[0] as { sessionIds: string[] }).sessionIds.length, 1);
    });
  });
}
