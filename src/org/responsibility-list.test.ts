import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { bearer, loginAs, TEST_ADMIN_PASSWORD } from '../identity/testing.ts';
import { type Actor, systemActor } from '../identity/index.ts';
import { createModuleRegistry, defineModule } from '../kernel/index.ts';
import { createDepartment } from './departments.ts';
import { importDivisions } from './divisions.ts';
import { DivisionLocator } from './locate.ts';
import { ORG } from './org-services.ts';
import {
  addRules,
  createRule,
  deleteRule,
  getListVersion,
  listRules,
  resolveResponsibility,
  whoIsResponsible,
  updateRule,
} from './responsibility-list.ts';
import { tinyCity } from './testing.ts';

const name = (en: string) => ({ 'zh-CN': en, en });
/** A plate of its own, so the fallbacks are under the test's control. */
const modules = createModuleRegistry(
  [
    defineModule({
      id: 'test-plate',
      version: '1.0.0',
      name: name('Test plate'),
      departments: [
        { code: 'test-bureau', name: name('Test Bureau'), kind: 'bureau' },
        { code: 'test-utility', name: name('Test Utility'), kind: 'utility' },
      ],
      categories: [
        {
          code: 'T.E.01',
          name: name('Defaulted class'),
          kind: 'event',
          defaultResponsibility: { lead: 'test-bureau' },
        },
        { code: 'T.E.01.01', name: name('Inherits its default'), kind: 'event', parent: 'T.E.01' },
        { code: 'T.E.02', name: name('Class without default'), kind: 'event' },
        { code: 'T.E.02.01', name: name('No default at all'), kind: 'event', parent: 'T.E.02' },
      ],
    }),
  ],
  { coreDepartments: [] },
);
const opts = { modules };
const WEST_GRID = '33010200100101';
const EAST_GRID = '33010500100101';

for (const backend of testBackends()) {
  describe(`responsibility list (${backend})`, () => {
    let t: TestApp;
    let actor: Actor;
    const resolve = (category: string, division: string) =>
      resolveResponsibility(t.kernel.db, category, division, opts);

    before(async () => {
      t = await buildTestApp(backend);
      actor = systemActor(t.clock.now());
      await importDivisions(t.kernel.db, tinyCity(), actor);
      await t.services(ORG).reloadDivisions();
      for (const code of ['test-bureau', 'test-utility'])
        await createDepartment(t.kernel.db, { code, name: name(code), kind: 'bureau' }, actor);
    });
    after(() => t.dispose());

    it('falls back to the plate default (inherited from the parent class) before any rule', async () => {
      const r = await resolve('T.E.01.01', WEST_GRID);
      assert.deepEqual(r, {
        lead: 'test-bureau',
        assist: [],
        ruleId: null,
        listVersion: 0,
        source: 'category_default',
        rule: null,
      });
    });

    it('falls back to the district government of the location, then the command center', async () => {
      const r = await resolve('T.E.02.01', EAST_GRID);
      assert.equal(r.lead, 'district-gov-330105');
      assert.equal(r.source, 'district_government');
      const city = await resolve('T.E.02.01', '3301');
      assert.equal(city.lead, 'command-center');
    });

    it('picks the most specific rule: division depth first, then exact category over parent over pattern', async () => {
      const pattern = await createRule(
        t.kernel.db,
        { category: 'T.E.*', divisionCode: '3301', lead: 'test-utility' },
        actor,
        opts,
      );
      assert.equal(pattern.listVersion, 1);
      let r = await resolve('T.E.02.01', WEST_GRID);
      assert.equal(r.ruleId, pattern.ruleId);
      assert.equal(r.source, 'rule');
      assert.equal(r.listVersion, 1);

      const parent = await createRule(
        t.kernel.db,
        { category: 'T.E.02', divisionCode: '3301', lead: 'test-bureau', assist: ['test-utility'] },
        actor,
        opts,
      );
      r = await resolve('T.E.02.01', WEST_GRID);
      assert.equal(r.ruleId, parent.ruleId);
      assert.deepEqual(r.assist, ['test-utility']);

      const exact = await createRule(
        t.kernel.db,
        { category: 'T.E.02.01', divisionCode: '3301', lead: 'district-gov-330102' },
        actor,
        opts,
      );
      r = await resolve('T.E.02.01', WEST_GRID);
      assert.equal(r.ruleId, exact.ruleId);

      // A district rule with only a pattern still beats a city rule with the exact category.
      const district = await createRule(
        t.kernel.db,
        { category: 'T.E.*', divisionCode: '330105', lead: 'street-office-330105001', note: 'east pilot' },
        actor,
        opts,
      );
      assert.equal((await resolve('T.E.02.01', EAST_GRID)).ruleId, district.ruleId);
      assert.equal((await resolve('T.E.02.01', '330105001')).ruleId, district.ruleId);
      assert.equal((await resolve('T.E.02.01', WEST_GRID)).ruleId, exact.ruleId);
      // Rules for other categories never match.
      assert.equal((await resolve('X.E.01', WEST_GRID)).source, 'district_government');
      assert.equal(district.listVersion, 4);
    });

    it('versions every change; each version stays queryable; every change is audited', async () => {
      const v4 = await listRules(t.kernel.db, actor, { version: 4 });
      const exact = v4.rules.find((r) => r.category === 'T.E.02.01')!;
      const updated = await updateRule(t.kernel.db, exact.ruleId, { lead: 'test-utility' }, actor, opts);
      assert.equal(updated.listVersion, 5);
      assert.equal(updated.ruleId, exact.ruleId);
      const east = v4.rules.find((r) => r.divisionCode === '330105')!;
      const removed = await deleteRule(t.kernel.db, east.ruleId, actor);
      assert.equal(removed.listVersion, 6);

      const leadIn = async (v: number) =>
        (await listRules(t.kernel.db, actor, { version: v })).rules.find((r) => r.ruleId === exact.ruleId)
          ?.lead;
      assert.equal(await leadIn(4), 'district-gov-330102');
      assert.equal(await leadIn(5), 'test-utility');
      assert.equal((await listRules(t.kernel.db, actor, { version: 1 })).rules.length, 1);
      assert.equal((await listRules(t.kernel.db, actor, { version: 5 })).rules.length, 4);
      const v6 = await getListVersion(t.kernel.db, actor, 6);
      assert.equal(v6.rules.length, 3);
      assert.match(v6.note, /delete rule/);

      const r = await resolve('T.E.02.01', EAST_GRID);
      assert.equal(r.ruleId, exact.ruleId);
      assert.equal(r.lead, 'test-utility');
      assert.equal(r.listVersion, 6);

      const audit = await t.kernel.db
        .selectFrom('audit_record')
        .select(['action', 'object_id'])
        .where('object_type', '=', 'responsibility_rule')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        [
          ...Array(4).fill('responsibility.rule.create'),
          'responsibility.rule.update',
          'responsibility.rule.delete',
        ],
      );
    });

    it('refuses unknown categories, departments and divisions, and duplicates, changing nothing', async () => {
      const before = (await listRules(t.kernel.db, actor)).version;
      const attempt = (input: Parameters<typeof createRule>[1]) =>
        createRule(t.kernel.db, input, actor, opts);
      await assert.rejects(attempt({ category: 'NOPE.01', divisionCode: '3301', lead: 'test-bureau' }), {
        code: 'responsibility.unknown_category',
      });
      await assert.rejects(attempt({ category: 'T.E.01', divisionCode: '3301', lead: 'ghost-bureau' }), {
        code: 'department.unknown',
      });
      await assert.rejects(attempt({ category: 'T.E.01', divisionCode: '330199', lead: 'test-bureau' }), {
        code: 'division.unknown',
      });
      await assert.rejects(attempt({ category: 'T.E.*', divisionCode: '3301', lead: 'test-bureau' }), {
        code: 'responsibility.duplicate_rule',
      });
      await assert.rejects(
        addRules(
          t.kernel.db,
          [
            { category: 'T.E.01', divisionCode: '330102', lead: 'test-bureau' },
            { category: 'T.E.01', divisionCode: '330102', lead: 'test-utility' },
          ],
          actor,
          opts,
        ),
        { code: 'responsibility.duplicate_rule' },
      );
      assert.equal((await listRules(t.kernel.db, actor)).version, before);
    });

    it('answers "who is responsible for C at P" over HTTP with the deciding rule', async () => {
      const admin = bearer(await loginAs(t, 'admin', TEST_ADMIN_PASSWORD));
      const get = (url: string) => t.app.inject({ url, headers: admin });
      // The shipped city-management plate: manhole covers default to the water utility.
      let res = await get('/api/v1/responsibility/resolve?category=CM.C.01.01&lat=30.05&lon=120.02');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().lead, 'water-utility');
      assert.equal(res.json().source, 'category_default');
      assert.equal(res.json().divisionCode, WEST_GRID);
      assert.equal(res.json().location.district.code, '330102');

      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/responsibility/rules',
        headers: admin,
        payload: {
          category: 'CM.C.01.01',
          divisionCode: '330102',
          lead: 'district-gov-330102',
          assist: ['water-utility'],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      res = await get('/api/v1/responsibility/resolve?category=CM.C.01.01&lat=30.05&lon=120.02');
      assert.equal(res.json().ruleId, created.json().ruleId);
      assert.equal(res.json().rule.divisionCode, '330102');
      assert.equal(res.json().listVersion, created.json().listVersion);
      res = await get('/api/v1/responsibility/resolve?category=CM.C.01.01&division=33010500100101');
      assert.equal(res.json().lead, 'water-utility');
      // The route serialises with its response schema: nothing the service answers is dropped.
      const locator = new DivisionLocator(t.kernel.db);
      await locator.reload();
      const queries: Array<[string, { lat?: number; lon?: number; division?: string }]> = [
        ['lat=30.05&lon=120.02', { lat: 30.05, lon: 120.02 }],
        ['division=33010500100101', { division: '33010500100101' }],
      ];
      for (const [query, where] of queries) {
        const answer = await whoIsResponsible(
          t.kernel.db,
          actor,
          { category: 'CM.C.01.01', ...where },
          { modules: t.kernel.modules, locator },
        );
        const res = await get(`/api/v1/responsibility/resolve?category=CM.C.01.01&${query}`);
        if (where.lat) assert.ok(answer.rule && answer.location, 'a rule and a location to compare');
        assert.deepEqual(res.json(), JSON.parse(JSON.stringify(answer)), query);
      }

      const version = await get(`/api/v1/responsibility/versions/${created.json().listVersion}`);
      assert.equal(version.statusCode, 200);
      assert.ok(version.json().rules.some((r: { ruleId: string }) => r.ruleId === created.json().ruleId));
      assert.equal(
        (await get('/api/v1/responsibility/versions/999')).json().code,
        'responsibility.version_not_found',
      );
      assert.equal(
        (await get('/api/v1/responsibility/resolve?category=CM.C.01.01&lat=31&lon=121')).statusCode,
        404,
      );
      assert.equal((await get('/api/v1/responsibility/resolve?category=NOPE&division=3301')).statusCode, 404);
      assert.equal((await get('/api/v1/responsibility/resolve?category=CM.C.01.01')).statusCode, 400);
      const anonymous = await t.app.inject({
        url: '/api/v1/responsibility/resolve?category=CM.C.01.01&division=3301',
      });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
