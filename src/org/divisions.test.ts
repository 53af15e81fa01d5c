import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addUser, bearer, loginAs, TEST_ADMIN_PASSWORD } from '../identity/testing.ts';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { systemActor } from '../identity/index.ts';
import { getDivision, listDivisions } from './divisions.ts';
import { rect, rectRing, tinyCity, tinyCityFeatures } from './testing.ts';

for (const backend of testBackends()) {
  describe(`divisions over HTTP (${backend})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    let worker: Record<string, string>;
    /** A key scoped to `org.write` alone, on an administrator service account. */
    let writeOnlyKey: Record<string, string>;
    const inject = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      headers = admin,
    ) =>
      t.app.inject({
        method,
        url,
        headers,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const state = async () => {
      const exported = await inject('GET', '/api/v1/divisions/export');
      const audit = await t.kernel.db
        .selectFrom('audit_record')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return { divisions: exported.body, audit: Number(audit.n) };
    };
    const importing = async (features: unknown[]) => {
      const res = await inject('POST', '/api/v1/divisions/import', { type: 'FeatureCollection', features });
      return { status: res.statusCode, body: res.json(), type: res.headers['content-type'] };
    };

    before(async () => {
      t = await buildTestApp(backend);
      admin = bearer(await loginAs(t, 'admin', TEST_ADMIN_PASSWORD));
      await addUser(t, 'gw.west', ['grid_worker'], { divisionCodes: ['330102'] });
      worker = bearer(await loginAs(t, 'gw.west'));
      await inject('POST', '/api/v1/users', {
        username: 'svc.gazetteer',
        displayName: 'Gazetteer sync',
        kind: 'service',
        roles: ['admin'],
      });
      const key = await inject('POST', '/api/v1/api-keys', {
        account: 'svc.gazetteer',
        name: 'writes only',
        scopes: ['org.write'],
      });
      assert.equal(key.statusCode, 201, key.body);
      writeOnlyKey = { 'x-api-key': key.json().key };
      const res = await inject('POST', '/api/v1/divisions/import', tinyCity());
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { created: 10, updated: 0, unchanged: 0, total: 10 });
    });
    after(() => t.dispose());

    it('locates a point publicly, with the chain', async () => {
      const res = await t.app.inject({ url: '/api/v1/divisions/locate?lat=30.05&lon=120.02' });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.grid.code, '33010200100101');
      assert.equal(body.district.code, '330102');
      assert.equal(body.city.name['zh-CN'], '测试市');
    });

    it('applies the boundary rule over HTTP (shared edge → smaller code)', async () => {
      const res = await t.app.inject({ url: '/api/v1/divisions/locate?lat=30.05&lon=120.1' });
      assert.equal(res.json().grid.code, '33010200100102');
    });

    it('answers 404 division.outside_city outside the city and inside the lake', async () => {
      for (const q of ['lat=31&lon=121', 'lat=30.05&lon=120.16']) {
        const res = await t.app.inject({ url: `/api/v1/divisions/locate?${q}` });
        assert.equal(res.statusCode, 404);
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
        assert.equal(res.json().code, 'division.outside_city');
      }
    });

    it('answers 400 for bad coordinates', async () => {
      for (const q of ['lat=95&lon=120', 'lat=abc&lon=120', 'lon=120', 'lat=30&lon=181']) {
        const res = await t.app.inject({ url: `/api/v1/divisions/locate?${q}` });
        assert.equal(res.statusCode, 400, q);
      }
    });

    it('exports a FeatureCollection that imports back unchanged', async () => {
      const exported = await inject('GET', '/api/v1/divisions/export');
      assert.match(String(exported.headers['content-type']), /geo\+json/);
      const fc = exported.json();
      assert.equal(fc.features.length, 10);
      assert.equal(fc.features[0].properties.code, '3301');
      const res = await inject('POST', '/api/v1/divisions/import', fc);
      assert.deepEqual(res.json(), { created: 0, updated: 0, unchanged: 10, total: 10 });
    });

    it('creates a district government per district and a street office per street', async () => {
      const res = await inject('GET', '/api/v1/departments?kind=district_government');
      assert.deepEqual(
        res.json().map((d: { code: string }) => d.code),
        ['district-gov-330102', 'district-gov-330105'],
      );
      const office = await inject('GET', '/api/v1/departments/street-office-330105001');
      assert.equal(office.json().parentCode, 'district-gov-330105');
    });

    describe('import validation: a clear problem and nothing changed', () => {
      const cases: Array<[string, () => unknown[], string, number]> = [
        [
          'open ring',
          () => [
            {
              type: 'Feature',
              properties: { code: '330102001002', name_zh: '新社区', name_en: 'New' },
              geometry: { type: 'Polygon', coordinates: [rectRing(120.0, 30.0, 120.05, 30.05).slice(0, 4)] },
            },
          ],
          'division.invalid_geometry',
          0,
        ],
        [
          'ring with too few positions',
          () => [
            tinyCityFeatures()[7],
            {
              type: 'Feature',
              properties: { code: '33010200100103', name_zh: '网格', name_en: 'Grid' },
              geometry: {
                type: 'Polygon',
                coordinates: [
                  [
                    [120, 30],
                    [120.01, 30],
                    [120, 30],
                  ],
                ],
              },
            },
          ],
          'division.invalid_geometry',
          1,
        ],
        [
          'invalid coordinates',
          () => [
            {
              type: 'Feature',
              properties: { code: '33010200100103', name_zh: '网格', name_en: 'Grid' },
              geometry: rect(120.0, 95, 120.01, 96),
            },
          ],
          'division.invalid_geometry',
          0,
        ],
        [
          'child outside its parent',
          () => [
            {
              type: 'Feature',
              properties: { code: '330102002', name_zh: '越界街道', name_en: 'Stray' },
              geometry: rect(120.08, 30.02, 120.12, 30.04),
            },
          ],
          'division.outside_parent',
          0,
        ],
        [
          'overlapping siblings',
          () => [
            tinyCityFeatures()[0],
            {
              type: 'Feature',
              properties: { code: '330106', name_zh: '重叠区', name_en: 'Overlap' },
              geometry: rect(120.09, 30.0, 120.11, 30.02),
            },
          ],
          'division.overlap',
          1,
        ],
        [
          'unknown parent',
          () => [
            {
              type: 'Feature',
              properties: { code: '330199001', parent: '330199', name_zh: '孤儿街道', name_en: 'Orphan' },
              geometry: rect(120.0, 30.0, 120.01, 30.01),
            },
          ],
          'division.unknown_parent',
          0,
        ],
        [
          'code breaking the prefix rule',
          () => [
            {
              type: 'Feature',
              properties: { code: '330105002', parent: '330102', name_zh: '错码', name_en: 'Wrong' },
              geometry: rect(120.0, 30.0, 120.01, 30.01),
            },
          ],
          'division.bad_code',
          0,
        ],
        [
          'code of no level',
          () => [
            {
              type: 'Feature',
              properties: { code: '33010', name_zh: '错码', name_en: 'Wrong' },
              geometry: rect(120.0, 30.0, 120.01, 30.01),
            },
          ],
          'division.bad_code',
          0,
        ],
      ];
      for (const [label, features, code, featureIndex] of cases)
        it(`refuses ${label}`, async () => {
          const before = await state();
          const res = await importing(features());
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.match(String(res.type), /application\/problem\+json/);
          assert.equal(res.body.code, code);
          assert.equal(res.body.featureIndex, featureIndex);
          assert.match(res.body.detail, new RegExp(`^Feature ${featureIndex}`));
          assert.deepEqual(await state(), before);
        });

      it('refuses a valid feature followed by an invalid one, writing neither', async () => {
        const before = await state();
        const west = tinyCityFeatures()[1];
        const good = { ...west, properties: { ...west.properties, name_en: 'Renamed District' } };
        const bad = {
          type: 'Feature',
          properties: { code: '330102003', name_zh: '越界', name_en: 'Stray' },
          geometry: rect(120.3, 30, 120.4, 30.1),
        };
        const res = await importing([good, bad]);
        assert.equal(res.status, 400);
        assert.equal(res.body.featureIndex, 1);
        assert.deepEqual(await state(), before);
      });

      it('refuses malformed JSON and non-collections', async () => {
        const before = await state();
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/divisions/import',
          headers: { ...admin, 'content-type': 'application/json' },
          payload: '{"type": "FeatureCollection", "features": [',
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().code, 'malformed_body');
        const notFc = await inject('POST', '/api/v1/divisions/import', { type: 'Feature' });
        assert.equal(notFc.statusCode, 400);
        assert.equal(notFc.json().code, 'division.invalid_geojson');
        assert.deepEqual(await state(), before);
      });
    });

    it('lets only org.write change divisions (401 anonymous, 403 grid worker)', async () => {
      const anon = await t.app.inject({
        method: 'POST',
        url: '/api/v1/divisions/import',
        payload: tinyCity(),
      });
      assert.equal(anon.statusCode, 401);
      const gw = await inject('POST', '/api/v1/divisions/import', tinyCity(), worker);
      assert.equal(gw.statusCode, 403);
      const read = await inject('GET', '/api/v1/divisions?level=district', undefined, worker);
      assert.equal(read.statusCode, 200);
      assert.deepEqual(
        read.json().map((d: { code: string }) => d.code),
        ['330102', '330105'],
      );
    });

    it('creates, renames, reshapes and deletes a division, rebuilding the locate index', async () => {
      // With a key scoped to org.write alone: a write answers with what it wrote, no org.read needed.
      const write = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
        inject(method, url, payload, writeOnlyKey);
      const locate = async (lat: number, lon: number) =>
        (await t.app.inject({ url: `/api/v1/divisions/locate?lat=${lat}&lon=${lon}` })).json();
      const overlapping = await write('POST', '/api/v1/divisions', {
        code: '330102001002',
        name: { 'zh-CN': '新社区', en: 'New Community' },
        boundary: rect(120.0, 30.0, 120.01, 30.01),
      });
      assert.equal(overlapping.statusCode, 400);
      assert.equal(overlapping.json().code, 'division.overlap');

      assert.equal((await write('DELETE', '/api/v1/divisions/33010200100102')).statusCode, 204);
      const withoutGrid = await locate(30.05, 120.07);
      assert.equal(withoutGrid.grid, null);
      assert.equal(withoutGrid.community.code, '330102001001');

      const grid = {
        code: '33010200100102',
        name: { 'zh-CN': '西二网格', en: 'West Grid 2' },
        boundary: rect(120.05, 30.0, 120.1, 30.1),
      };
      const created = await write('POST', '/api/v1/divisions', grid);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().parentCode, '330102001001');
      assert.equal(created.json().level, 'grid');
      assert.equal((await locate(30.05, 120.07)).grid.code, '33010200100102');
      assert.equal((await write('POST', '/api/v1/divisions', grid)).statusCode, 409);

      const renamed = await write('PUT', '/api/v1/divisions/330102001', {
        name: { 'zh-CN': '西湖街道', en: 'West Lake Street' },
      });
      assert.equal(renamed.statusCode, 200);
      assert.equal((await locate(30.05, 120.02)).street.name.en, 'West Lake Street');
      const shrink = await write('PUT', '/api/v1/divisions/330102', {
        boundary: rect(120.0, 30.0, 120.05, 30.1),
      });
      assert.equal(shrink.statusCode, 400);
      assert.equal(shrink.json().code, 'division.outside_parent');
      const busy = await write('DELETE', '/api/v1/divisions/330102001');
      assert.equal(busy.statusCode, 409);
      assert.equal((await inject('GET', '/api/v1/divisions/330199')).statusCode, 404);
    });

    it('answers divisions as the service builds them, boundary foreign members kept', async () => {
      // The routes serialise with `divisionSchema`: what it left out would be dropped.
      const boundary = {
        type: 'MultiPolygon',
        coordinates: [
          rect(120.05, 30.0, 120.1, 30.04).coordinates,
          rect(120.05, 30.06, 120.1, 30.1).coordinates,
        ],
        bbox: [120.05, 30.0, 120.1, 30.1],
      };
      const reshaped = await inject('PUT', '/api/v1/divisions/33010200100102', { boundary });
      assert.equal(reshaped.statusCode, 200, reshaped.body);
      const actor = systemActor(t.clock.now());
      const service = JSON.parse(JSON.stringify(await getDivision(t.kernel.db, actor, '33010200100102')));
      assert.deepEqual(service.boundary, boundary);
      assert.deepEqual(reshaped.json(), service);
      assert.deepEqual((await inject('GET', '/api/v1/divisions/33010200100102')).json(), service);
      for (const withBoundary of [true, false]) {
        const listed = await inject('GET', `/api/v1/divisions?boundary=${withBoundary}`);
        const expected = await listDivisions(t.kernel.db, actor, { withBoundary });
        assert.deepEqual(listed.json(), JSON.parse(JSON.stringify(expected)));
      }
    });

    it('lists its routes in the OpenAPI document under tags', async () => {
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
      assert.deepEqual(doc.paths['/api/v1/divisions/locate'].get.tags, ['divisions']);
      assert.ok(doc.paths['/api/v1/responsibility/resolve']);
      assert.ok(doc.paths['/api/v1/departments/{code}']);
      assert.ok(doc.paths['/api/v1/posts']);
      assert.ok(doc.paths['/api/v1/responsibility-grids/{code}']);
    });
  });
}
