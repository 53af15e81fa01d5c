/**
 * Two apps in one process share nothing (docs/architecture.md, "Capabilities"): built from
 * the same capability objects on two embedded databases with different settings, each
 * capability's state answers per app — org's division index and public outlines, the case
 * engine and its settings, identity's principal cache, participation's settings and
 * context, the data hub's writer — and a change in app A is not seen by app B, nor does
 * it drop anything from B's caches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditCapability } from '../../src/audit/index.ts';
import { CASES, casesCapability } from '../../src/cases/index.ts';
import { DATAHUB, datahubCapability } from '../../src/datahub/index.ts';
import { IDENTITY, identityCapability } from '../../src/identity/index.ts';
import { addUser, bearer, loginAs, TEST_ADMIN_PASSWORD } from '../../src/identity/testing.ts';
import { loadConfig } from '../../src/kernel/index.ts';
import { ORG, orgCapability, seedDemoCity } from '../../src/org/index.ts';
import { PARTICIPATION, participationCapability } from '../../src/participation/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

/** The same capability objects for both apps: only what `create` builds is per app. */
const capabilities = [
  auditCapability,
  identityCapability,
  orgCapability,
  casesCapability,
  participationCapability,
  datahubCapability,
];

const configWith = (settings: Record<string, string>) => {
  const config = loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      ONECITY_SEED_DEMO: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_SERVICE_PER_MINUTE: '0',
    },
    file: null,
  });
  return { ...config, settings: { ...config.settings, ...settings } };
};

/** A point inside the demo city's first unit grid (the same for every seed-1 city). */
function pointOf(t: TestApp): { lat: number; lon: number } {
  const { locate } = t.services(ORG);
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) if (locate(lat, lon)?.grid) return { lat, lon };
  throw new Error('no point inside the demo city');
}

const featureCount = async (t: TestApp) => {
  const res = await t.app.inject({ url: '/api/v1/public/divisions.geojson' });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { features: unknown[] }).features.length;
};

// Embedded databases only: two of them, each with its own process memory (the point here).
describe('two apps in one process', () => {
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    a = await buildTestApp('pglite', {
      capabilities,
      config: configWith({
        OPEN311_JURISDICTION_ID: 'a.lanhu.example',
        ONECITY_DUPLICATE_MAX_CANDIDATES: '3',
      }),
    });
    b = await buildTestApp('pglite', {
      capabilities,
      config: configWith({
        OPEN311_JURISDICTION_ID: 'b.lanhu.example',
        ONECITY_DUPLICATE_MAX_CANDIDATES: '7',
      }),
    });
  });
  after(async () => {
    await a?.dispose();
    await b?.dispose();
  });

  it('each app reads its own settings into its own instances', () => {
    assert.equal(a.services(PARTICIPATION).context.settings.jurisdictionId, 'a.lanhu.example');
    assert.equal(b.services(PARTICIPATION).context.settings.jurisdictionId, 'b.lanhu.example');
    assert.equal(a.services(CASES).engine.settings.duplicateMaxCandidates, 3);
    assert.equal(b.services(CASES).engine.settings.duplicateMaxCandidates, 7);
    assert.notEqual(a.services(CASES).engine, b.services(CASES).engine);
    assert.equal(a.services(CASES).engine.db, a.kernel.db);
    assert.equal(b.services(CASES).engine.db, b.kernel.db);
    assert.equal(a.services(PARTICIPATION).context.engine(), a.services(CASES).engine);
    assert.equal(b.services(PARTICIPATION).context.engine(), b.services(CASES).engine);
    assert.notEqual(a.services(IDENTITY).principalCache, b.services(IDENTITY).principalCache);
    assert.notEqual(a.services(DATAHUB).writer, b.services(DATAHUB).writer);
  });

  it("a city seeded in A is located and outlined in A only; B's index and cache stay its own", async () => {
    // Both caches warm on empty cities first, so a shared cache would answer stale for one.
    assert.equal(await featureCount(a), 0);
    assert.equal(await featureCount(b), 0);
    await seedDemoCity(a, { seed: 1, password: 'Demo-password-2026' });
    const p = pointOf(a);
    assert.ok(a.services(ORG).locate(p.lat, p.lon)?.grid);
    assert.equal(b.services(ORG).locate(p.lat, p.lon), null);
    assert.ok(a.services(ORG).divisions().size > 0);
    assert.equal(b.services(ORG).divisions().size, 0);
    assert.ok((await featureCount(a)) > 0);
    assert.equal(await featureCount(b), 0);
    // B's own locate answers "outside the city" for A's point.
    const res = await b.app.inject({ url: `/api/v1/divisions/locate?lat=${p.lat}&lon=${p.lon}` });
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().code, 'division.outside_city');
  });

  it("a sign-in to A fills A's principal cache only, and A's token means nothing to B", async () => {
    await addUser(a, 'alice', ['citizen']);
    const cacheA = a.services(IDENTITY).principalCache;
    const cacheB = b.services(IDENTITY).principalCache;
    const before = { a: cacheA.size, b: cacheB.size };
    const token = await loginAs(a, 'alice');
    assert.equal((await a.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 200);
    assert.equal(cacheA.size, before.a + 1);
    assert.equal((await b.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 401);
    assert.equal(cacheB.size, before.b);
  });

  it("a user change committed in A drops A's cached principal, never B's", async () => {
    // The same user id in both databases (two cities restored from one backup, say), so an
    // invalidation that leaked across apps would name B's entry too.
    const bobA = await addUser(a, 'bob', ['dispatcher']);
    const bobB = await addUser(b, 'bob', ['dispatcher']);
    await b.kernel.db.updateTable('identity_user').set({ id: bobA.id }).where('id', '=', bobB.id).execute();
    const admin = await loginAs(a, 'admin', TEST_ADMIN_PASSWORD);
    const [tokenA, tokenB] = [await loginAs(a, 'bob'), await loginAs(b, 'bob')];
    const me = (t: TestApp, token: string) =>
      t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) });
    assert.equal((await me(a, admin)).statusCode, 200);
    assert.equal((await me(a, tokenA)).statusCode, 200);
    assert.equal((await me(b, tokenB)).statusCode, 200);
    const cacheA = a.services(IDENTITY).principalCache;
    const cacheB = b.services(IDENTITY).principalCache;
    const before = { a: cacheA.size, b: cacheB.size };
    // B's session ends in its database behind the cache's back: only B's cached entry still
    // answers for it, so dropping that entry would show as a 401 below.
    await b.kernel.db.updateTable('identity_session').set({ revoked_at: b.clock.now() }).execute();
    const res = await a.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${bobA.id}`,
      headers: bearer(admin),
      payload: { roles: ['auditor'] },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(cacheA.size, before.a - 1);
    assert.deepEqual((await me(a, tokenA)).json().roles, ['auditor']);
    assert.equal(cacheB.size, before.b);
    const stillB = await me(b, tokenB);
    assert.equal(stillB.statusCode, 200, stillB.body);
    assert.deepEqual(stillB.json().roles, ['dispatcher']);
  });
});
