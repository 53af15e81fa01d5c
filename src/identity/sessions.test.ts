import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, type TestApp, testLogger } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { buildApp, type OneCityApp } from '../app.ts';
import { auditCapability, listAudit, verifyAuditChain } from '../audit/index.ts';
import { loadConfig, openStorage, type Storage } from '../kernel/index.ts';
import { identityCapability } from './index.ts';
import { addUser, bearer, loginAs, TEST_PASSWORD } from './testing.ts';

/** The proxy range the suite's app trusts (`TRUST_PROXY`). */
const PROXIES = '10.250.0.0/24';

const loginOn = (
  app: FastifyInstance,
  username: string,
  password: string,
  ip: string,
  forwardedFor?: string,
) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress: ip,
    ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
  });

const login = (t: TestApp, username: string, password: string, ip = '10.0.0.1') =>
  loginOn(t.app, username, password, ip);

/** The address a session was opened from, as stored. */
async function sessionAddress(t: TestApp, token: string): Promise<string> {
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  const row = await t.kernel.db
    .selectFrom('identity_session')
    .select('address')
    .where('token_hash', '=', hash)
    .executeTakeFirstOrThrow();
  return row.address as string;
}

/** How many responses had each status. */
function statusCounts(responses: Array<{ statusCode: number }>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.statusCode] = (out[r.statusCode] ?? 0) + 1;
  return out;
}

for (const backend of testBackends()) {
  describe(`sessions and login (${backend})`, () => {
    let t: TestApp;
    /** On PostgreSQL a second node on the same database, so attempts race across nodes. */
    let second: { node: OneCityApp; storage: Storage } | undefined;
    before(async () => {
      t = await buildTestApp(backend, { env: { TRUST_PROXY: PROXIES } });
      await addUser(t, 'alice', ['dispatcher']);
      for (const name of ['carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan'])
        await addUser(t, name, ['auditor']);
      await addUser(t, 'bob', ['grid_worker'], { divisionCodes: ['330102001001'] });
      const schema = (t.kernel.storage as { schema?: string }).schema;
      if (schema) {
        const storage = await openStorage({
          databaseUrl: process.env.TEST_DATABASE_URL!,
          schema,
          poolSize: 5,
        });
        const node = await buildApp({
          config: loadConfig({ env: { LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false' }, file: null }),
          storage,
          logger: testLogger(),
          clock: t.clock,
          migrate: false,
          background: false,
          capabilities: [identityCapability, auditCapability],
        });
        second = { node, storage };
      }
    });
    after(async () => {
      await second?.node.close();
      await second?.storage.close();
      await t.dispose();
    });

    test('login returns an opaque token stored only as its hash, and /auth/me answers', async () => {
      const res = await login(t, 'Alice', TEST_PASSWORD);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.match(body.token, /^ocs_[A-Za-z0-9_-]{43}$/);
      assert.equal(body.tokenType, 'Bearer');
      assert.equal(body.expiresAt, new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString());
      const stored = await t.kernel.db.selectFrom('identity_session').select('token_hash').execute();
      assert.ok(stored.every((s) => s.token_hash !== body.token && /^[0-9a-f]{64}$/.test(s.token_hash)));
      const me = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(body.token) });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().username, 'alice');
      assert.ok(me.json().permissions.includes('case.dispatch'));
    });

    test('a wrong password and an unknown user get the same 401', async () => {
      const wrong = await login(t, 'alice', 'Wrong-password-1', '10.9.9.9');
      const unknown = await login(t, 'nobody', 'Wrong-password-1', '10.9.9.9');
      for (const res of [wrong, unknown]) {
        assert.equal(res.statusCode, 401);
        assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
        assert.equal(res.json().code, 'auth.invalid_credentials');
      }
      assert.equal(wrong.json().detail, unknown.json().detail);
    });

    test('without credentials /auth/me is 401; malformed schemes and unknown tokens are 401', async () => {
      assert.equal((await t.app.inject({ url: '/api/v1/auth/me' })).statusCode, 401);
      const basic = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Basic abc' } });
      assert.equal(basic.json().code, 'auth.bad_scheme');
      const bogus = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer('ocs_nope') });
      assert.equal(bogus.statusCode, 401);
      assert.equal(bogus.json().code, 'auth.token_invalid');
    });

    test('logout revokes the token, and the revocation is audited', async () => {
      const token = await loginAs(t, 'alice');
      const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) });
      assert.equal(out.statusCode, 204);
      const me = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
      assert.equal(me.statusCode, 401);
      assert.equal(me.json().code, 'auth.token_revoked');
      const { items } = await listAudit(t.kernel.db, { action: 'session.revoke', actor: 'alice' });
      assert.equal(items.length, 1);
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode, 401);
    });

    test('tokens expire after the configured lifetime', async () => {
      const token = await loginAs(t, 'bob');
      t.clock.advance(8 * 3600_000 - 1000);
      assert.equal((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 200);
      t.clock.advance(1000);
      const res = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'auth.token_expired');
    });

    test('an account is locked after 5 failures, answers 429 with Retry-After, and unlocks later', async () => {
      for (let i = 0; i < 4; i++)
        assert.equal((await login(t, 'carol', `Wrong-pass-${i}x`, '10.1.0.1')).statusCode, 401);
      // The fifth failure still answers 401 but locks the account, and is audited.
      assert.equal((await login(t, 'carol', 'Wrong-pass-5x', '10.1.0.2')).statusCode, 401);
      const locked = await login(t, 'carol', TEST_PASSWORD, '10.1.0.3');
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().code, 'auth.locked_out');
      assert.equal(locked.headers['retry-after'], '900');
      const lockouts = await listAudit(t.kernel.db, { action: 'auth.lockout', objectId: 'carol' });
      assert.equal(lockouts.items.length, 1);
      // Other accounts are not affected.
      assert.equal((await login(t, 'alice', TEST_PASSWORD, '10.1.0.3')).statusCode, 200);
      t.clock.advance(600_000);
      const later = await login(t, 'carol', TEST_PASSWORD, '10.1.0.3');
      assert.equal(later.statusCode, 429);
      assert.equal(later.headers['retry-after'], '300');
      t.clock.advance(300_000);
      assert.equal((await login(t, 'carol', TEST_PASSWORD, '10.1.0.3')).statusCode, 200);
    });

    test('failures spread over more than the window do not lock', async () => {
      for (let i = 0; i < 8; i++) {
        assert.equal((await login(t, 'bob', 'Wrong-pass-9x', '10.2.0.1')).statusCode, 401);
        t.clock.advance(i % 4 === 3 ? 901_000 : 1000);
      }
      assert.equal((await login(t, 'bob', TEST_PASSWORD, '10.2.0.1')).statusCode, 200);
    });

    test('200 parallel wrong passwords for one account: only the limit are checked, then it is locked', async () => {
      const nodes = [t.app, ...(second ? [second.node.app] : [])];
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          loginOn(nodes[i % nodes.length], 'dave', `Wrong-pass-${i}x`, '10.4.0.1'),
        ),
      );
      // A 401 is only ever answered after the password was verified; every 429 was refused before.
      assert.deepEqual(statusCounts(responses), { 401: 5, 429: 195 });
      for (const r of responses.filter((r) => r.statusCode === 429)) {
        assert.match(r.json().code, /^auth\.(locked_out|address_throttled)$/);
        assert.ok(Number(r.headers['retry-after']) > 0);
      }
      const lockouts = await listAudit(t.kernel.db, { action: 'auth.lockout', objectId: 'dave' });
      assert.equal(lockouts.items.length, 1, 'the lock engaged once, at the fifth failure');
      const locked = await login(t, 'dave', TEST_PASSWORD, '10.4.0.2');
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().code, 'auth.locked_out');
      // Another account behind the same address is not locked out.
      assert.equal((await login(t, 'erin', TEST_PASSWORD, '10.4.0.1')).statusCode, 200);
    });

    test('a locked account still admits a correct password from an address it recently logged in from', async () => {
      assert.equal((await login(t, 'frank', TEST_PASSWORD, '10.6.0.1')).statusCode, 200);
      for (let i = 0; i < 5; i++)
        assert.equal((await login(t, 'frank', `Wrong-pass-${i}x`, '10.6.9.9')).statusCode, 401);
      assert.equal((await login(t, 'frank', TEST_PASSWORD, '10.6.9.9')).json().code, 'auth.locked_out');
      // The attacker cannot lock the owner out: from the address he logged in from, he gets in.
      assert.equal((await login(t, 'frank', TEST_PASSWORD, '10.6.0.1')).statusCode, 200);
      assert.equal((await login(t, 'frank', TEST_PASSWORD, '10.6.9.9')).statusCode, 429, 'still locked');
      // Guesses from that address have a count of their own, locked after the same limit.
      for (let i = 0; i < 5; i++)
        assert.equal((await login(t, 'frank', `Wrong-pass-${i}y`, '10.6.0.1')).statusCode, 401);
      const locked = await login(t, 'frank', TEST_PASSWORD, '10.6.0.1');
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().code, 'auth.locked_out');
      const lockouts = await listAudit(t.kernel.db, { action: 'auth.lockout', objectId: 'frank' });
      assert.equal(lockouts.items.length, 2, 'the account, then its count at the known address');
      t.clock.advance(900_000);
      assert.equal((await login(t, 'frank', TEST_PASSWORD, '10.6.9.9')).statusCode, 200, 'the lock runs out');
    });

    test('an address failing against many accounts is slowed, not locked: waits double from 1 s', async () => {
      assert.equal((await login(t, 'gina', TEST_PASSWORD, '10.3.0.1')).statusCode, 200);
      for (let i = 0; i < 21; i++)
        assert.equal((await login(t, `ghost${i}`, 'Wrong-pass-1x', '10.3.0.1')).statusCode, 401);
      const slowed = await login(t, 'hank', TEST_PASSWORD, '10.3.0.1');
      assert.equal(slowed.statusCode, 429);
      assert.match(slowed.headers['content-type'] as string, /application\/problem\+json/);
      assert.equal(slowed.json().code, 'auth.address_throttled');
      assert.equal(slowed.headers['retry-after'], '1');
      // An account that logged in from this address before is not slowed by it.
      assert.equal((await login(t, 'gina', TEST_PASSWORD, '10.3.0.1')).statusCode, 200);
      assert.equal((await login(t, 'hank', TEST_PASSWORD, '10.3.0.2')).statusCode, 200, 'other addresses');
      t.clock.advance(1000);
      assert.equal((await login(t, 'ghost21', 'Wrong-pass-1x', '10.3.0.1')).statusCode, 401);
      assert.equal((await login(t, 'ivan', TEST_PASSWORD, '10.3.0.1')).headers['retry-after'], '2');
      t.clock.advance(2000);
      // Slowed, never locked: a correct password gets in when its turn comes.
      assert.equal((await login(t, 'ivan', TEST_PASSWORD, '10.3.0.1')).statusCode, 200);
      const audit = await listAudit(t.kernel.db, { action: 'auth.address_throttled', objectId: '10.3.0.1' });
      assert.equal(audit.items.length, 1, 'audited once, when the address used up its attempts');
    });

    test('behind a trusted proxy the client it names is the address; X-Forwarded-For from others is ignored', async () => {
      const viaProxy = await loginOn(t.app, 'alice', TEST_PASSWORD, '10.250.0.7', '203.0.113.7');
      assert.equal(viaProxy.statusCode, 200);
      assert.equal(await sessionAddress(t, viaProxy.json().token), '203.0.113.7');
      const direct = await loginOn(t.app, 'alice', TEST_PASSWORD, '10.7.0.1', '203.0.113.8');
      assert.equal(await sessionAddress(t, direct.json().token), '10.7.0.1');
      // Each client behind the proxy is slowed on its own.
      for (let i = 0; i < 21; i++)
        await loginOn(t.app, `ghost${i}`, 'Wrong-pass-1x', '10.250.0.7', '203.0.113.50');
      const slowed = await loginOn(t.app, 'bob', TEST_PASSWORD, '10.250.0.7', '203.0.113.50');
      assert.equal(slowed.json().code, 'auth.address_throttled');
      assert.equal(
        (await loginOn(t.app, 'bob', TEST_PASSWORD, '10.250.0.7', '203.0.113.51')).statusCode,
        200,
      );
    });

    test('malformed login bodies are 400 problem+json', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'alice' },
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'validation_failed');
    });

    test('every change above is on an intact audit chain', async () => {
      assert.equal((await verifyAuditChain(t.kernel.db)).ok, true);
    });
  });

  describe(`API keys (${backend})`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      t = await buildTestApp(backend);
      admin = await loginAs(t, 'admin', process.env.ONECITY_ADMIN_PASSWORD);
    });
    after(() => t.dispose());

    const createService = (username: string, roles: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(admin),
        payload: { username, displayName: 'Gateway', kind: 'service', roles },
      });

    test('a key is shown once, authenticates as its service account, is limited to its scopes, and revokes', async () => {
      assert.equal((await createService('air-gateway', ['admin'])).statusCode, 201);
      const issued = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(admin),
        payload: { account: 'air-gateway', name: 'station 7', scopes: ['user.read'] },
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const { key, id } = issued.json();
      assert.match(key, /^ock_[0-9a-f]{8}_/);
      const listed = await t.app.inject({ url: '/api/v1/api-keys', headers: bearer(admin) });
      assert.equal(listed.json().items.length, 1);
      assert.equal(listed.json().items[0].key, undefined, 'the secret is never listed');
      const stored = await t.kernel.db.selectFrom('identity_api_key').selectAll().execute();
      assert.ok(!JSON.stringify(stored).includes(key.slice(14)));

      const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().kind, 'service');
      assert.deepEqual(me.json().permissions, ['user.read']);
      assert.equal(
        (await t.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': key } })).statusCode,
        200,
      );
      assert.equal(
        (await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { api_key: key } }))
          .statusCode,
        204,
        'api_key as a body field (Open311)',
      );
      assert.equal(
        (await t.app.inject({ url: `/api/v1/auth/me?api_key=${key}` })).statusCode,
        401,
        'never from the URL',
      );
      // Its role is admin, but the key's scope is not.
      assert.equal(
        (await t.app.inject({ url: '/api/v1/audit', headers: { 'x-api-key': key } })).statusCode,
        403,
      );

      const revoked = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/api-keys/${id}`,
        headers: bearer(admin),
      });
      assert.equal(revoked.statusCode, 200);
      const after = await t.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': key } });
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().code, 'auth.api_key_revoked');
      const audit = await listAudit(t.kernel.db, { objectType: 'api_key', objectId: id });
      assert.deepEqual(
        audit.items.map((r) => r.action),
        ['apikey.revoke', 'apikey.issue'],
      );
    });

    test('keys cannot exceed their account roles, go to people, or carry unknown scopes', async () => {
      await createService('counter', ['grid_worker']);
      const issue = (payload: object) =>
        t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(admin), payload });
      const beyond = await issue({ account: 'counter', name: 'x', scopes: ['user.manage'] });
      assert.equal(beyond.statusCode, 400);
      assert.equal(beyond.json().code, 'apikey.scopes_beyond_roles');
      const person = await issue({ account: 'admin', name: 'x', scopes: ['user.read'] });
      assert.equal(person.json().code, 'apikey.not_service_account');
      assert.equal((await issue({ account: 'counter', name: 'x', scopes: ['nope'] })).statusCode, 400);
      assert.equal((await issue({ account: 'ghost', name: 'x', scopes: ['case.read'] })).statusCode, 404);
      const expired = await issue({
        account: 'counter',
        name: 'x',
        scopes: ['case.read'],
        expiresAt: '2020-01-01T00:00:00Z',
      });
      assert.equal(expired.json().code, 'apikey.invalid_expiry');
    });

    test('an expiring key stops working at its expiry; an unknown key is 401', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(admin),
        payload: {
          account: 'counter',
          name: 'temp',
          scopes: ['case.read'],
          expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
        },
      });
      const { key } = res.json();
      assert.equal(
        (await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } })).statusCode,
        200,
      );
      t.clock.advance(60_000);
      const late = await t.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
      assert.equal(late.json().code, 'auth.api_key_expired');
      const bad = await t.app.inject({
        url: '/api/v1/auth/me',
        headers: { 'x-api-key': 'ock_00000000_nope' },
      });
      assert.equal(bad.json().code, 'auth.api_key_invalid');
    });

    test('service accounts cannot log in with a password', async () => {
      const res = await login(t, 'counter', 'Anything-123');
      assert.equal(res.statusCode, 401);
    });
  });
}
