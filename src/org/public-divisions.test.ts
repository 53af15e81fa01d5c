import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import type { Principal } from '../identity/index.ts';
import { addUser, bearer, loginAs, TEST_ADMIN_PASSWORD } from '../identity/testing.ts';
import { moduleCatalog } from './module-catalog.ts';
import { simplifyBoundary } from './public-divisions.ts';
import { tinyCity } from './testing.ts';

for (const backend of testBackends()) {
  describe(`public division outlines and the module catalogue (${backend})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    const url = '/api/v1/public/divisions.geojson';

    before(async () => {
      t = await buildTestApp(backend);
      admin = bearer(await loginAs(t, 'admin', TEST_ADMIN_PASSWORD));
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/divisions/import',
        headers: admin,
        payload: tinyCity(),
      });
      assert.equal(res.statusCode, 200, res.body);
    });
    after(() => t.dispose());

    it('serves outlines of one level without sign-in: codes, names and boundaries only', async () => {
      const res = await t.app.inject({ url: `${url}?level=grid` });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/geo\+json/);
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
      assert.match(String(res.headers.etag), /^"[A-Za-z0-9_-]+"$/);
      const fc = res.json();
      assert.equal(fc.type, 'FeatureCollection');
      assert.deepEqual(
        fc.features.map((f: { id: string }) => f.id),
        ['33010200100101', '33010200100102', '33010500100101'],
      );
      for (const f of fc.features) {
        assert.deepEqual(Object.keys(f).sort(), ['geometry', 'id', 'properties', 'type']);
        assert.deepEqual(Object.keys(f.properties).sort(), ['code', 'level', 'name_en', 'name_zh', 'parent']);
        assert.equal(f.properties.level, 'grid');
        assert.ok(['Polygon', 'MultiPolygon'].includes(f.geometry.type));
      }
      assert.equal(fc.features[0].properties.name_en, 'West Grid 1');
      // Nothing beyond the outline leaves: no departments, workers, areas or timestamps.
      assert.doesNotMatch(res.body, /department|worker|user|area|updated|bbox/i);
    });

    it('serves every level when none is asked, and refuses an unknown level', async () => {
      const all = (await t.app.inject({ url })).json();
      assert.equal(all.features.length, 10);
      assert.deepEqual(
        [...new Set(all.features.map((f: { properties: { level: string } }) => f.properties.level))],
        ['city', 'district', 'street', 'community', 'grid'],
      );
      const bad = await t.app.inject({ url: `${url}?level=department` });
      assert.equal(bad.statusCode, 400);
    });

    it('answers 304 to a matching If-None-Match, and a new ETag after the divisions change', async () => {
      const first = await t.app.inject({ url: `${url}?level=district` });
      const etag = String(first.headers.etag);
      const again = await t.app.inject({ url: `${url}?level=district`, headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      const rename = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/divisions/330102',
        headers: admin,
        payload: { name: { 'zh-CN': '西城区', en: 'West Town' } },
      });
      assert.equal(rename.statusCode, 200, rename.body);
      const changed = await t.app.inject({
        url: `${url}?level=district`,
        headers: { 'if-none-match': etag },
      });
      assert.equal(changed.statusCode, 200);
      assert.notEqual(changed.headers.etag, etag);
      assert.equal(changed.json().features[0].properties.name_en, 'West Town');
    });

    it('rounds boundaries to 1e-5° and drops repeated points', () => {
      const simplified = simplifyBoundary({
        type: 'Polygon',
        coordinates: [
          [
            [120.000001, 30.000002],
            [120.000004, 30.000001],
            [120.1, 30.0],
            [120.1, 30.1],
            [120.0, 30.1],
            [120.0, 30.0],
          ],
        ],
      });
      assert.deepEqual(simplified.coordinates, [
        [
          [120, 30],
          [120.1, 30],
          [120.1, 30.1],
          [120, 30.1],
          [120, 30],
        ],
      ]);
    });

    it('lists the plates with their categories and effective time limits (org.read)', async () => {
      const anonymous = await t.app.inject({ url: '/api/v1/modules' });
      assert.equal(anonymous.statusCode, 401);
      await addUser(t, 'citizen.mod', ['citizen']);
      const citizen = await t.app.inject({
        url: '/api/v1/modules',
        headers: bearer(await loginAs(t, 'citizen.mod')),
      });
      assert.equal(citizen.statusCode, 403);
      const res = await t.app.inject({ url: '/api/v1/modules', headers: admin });
      assert.equal(res.statusCode, 200, res.body);
      const { modules } = res.json();
      const ids = modules.map((m: { id: string }) => m.id);
      assert.ok(ids.includes('city-management'), ids.join());
      const cm = modules.find((m: { id: string }) => m.id === 'city-management');
      const minor = cm.categories.find((c: { code: string }) => c.code === 'CM.E.01.01');
      assert.ok(minor, 'exposed garbage is a category');
      assert.equal(minor.parent, 'CM.E.01');
      // A minor class without its own limits shows its major class's.
      const major = cm.categories.find((c: { code: string }) => c.code === minor.parent);
      assert.ok(minor.timeLimits.normal?.minutes.handle > 0);
      assert.deepEqual(minor.timeLimits.normal, major.timeLimits.normal ?? minor.timeLimits.normal);
      // The response schema drops what it does not name: the answer is the whole catalogue.
      const principal: Principal = {
        kind: 'user',
        id: 'admin',
        username: 'admin',
        roles: ['admin'],
        departmentCodes: [],
        divisionCodes: [],
      };
      assert.deepEqual(res.json(), JSON.parse(JSON.stringify(moduleCatalog(t.kernel.modules, principal))));
    });
  });
}
