import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { testBackends } from '../../test/support/storage.ts';
import { listUsers, SYSTEM_PRINCIPAL, systemActor } from '../identity/index.ts';
import { defaultModulesDir, loadModules } from '../kernel/index.ts';
import { planDemoCity, type SeedDemoResult, seedDemoCity } from './demo-city.ts';
import { exportDivisions, parseDivisionCollection, validateDivisions } from './divisions.ts';
import { areaSquareMetres, interiorsOverlap } from './geometry.ts';
import { ORG } from './org-services.ts';
import { listRules } from './responsibility-list.ts';

const modules = await loadModules(defaultModulesDir, 'all');

describe('demo city plan', () => {
  const plan = planDemoCity(1, modules);
  const count = (level: string) => plan.divisions.filter((d) => d.level === level).length;

  it('is a plausible city of the promised size', () => {
    assert.equal(count('city'), 1);
    assert.ok(count('district') >= 3, `${count('district')} districts`);
    assert.ok(count('street') >= 10, `${count('street')} streets`);
    assert.ok(count('community') >= 30, `${count('community')} communities`);
    assert.ok(count('grid') >= 300, `${count('grid')} grids`);
    const city = plan.divisions[0];
    assert.equal(city.name.en, 'Lanhu City');
    const km2 = areaSquareMetres(city.boundary) / 1e6;
    assert.ok(km2 > 100 && km2 < 300, `${km2} km²`);
    assert.equal(city.boundary.type, 'Polygon');
    assert.ok(city.boundary.coordinates.length >= 2, 'the lake is a hole in the city');
  });

  it('passes the import validation: prefix codes, children inside parents, siblings apart', () => {
    assert.doesNotThrow(() => validateDivisions(plan.divisions, new Map()));
  });

  it('has no overlapping unit grids (checked pairwise)', () => {
    const grids = plan.divisions.filter((d) => d.level === 'grid');
    let overlaps = 0;
    for (let i = 0; i < grids.length; i++)
      for (let j = i + 1; j < grids.length; j++)
        if (interiorsOverlap(grids[i].boundary, grids[j].boundary, 1e-9)) overlaps++;
    assert.equal(overlaps, 0);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    assert.equal(planDemoCity(1, modules).digest, plan.digest);
    assert.notEqual(planDemoCity(2, modules).digest, plan.digest);
    for (const seed of [2, 3, 99]) {
      const other = planDemoCity(seed, modules);
      assert.ok(other.divisions.filter((d) => d.level === 'grid').length >= 300, `seed ${seed}`);
      assert.doesNotThrow(() => validateDivisions(other.divisions, new Map()), `seed ${seed}`);
    }
  });

  it('has a rule for every shipped category, with district and street overrides', () => {
    const cityRules = new Set(plan.rules.filter((r) => r.divisionCode === '3301').map((r) => r.category));
    for (const c of modules.categories()) assert.ok(cityRules.has(c.code), c.code);
    assert.ok(plan.rules.some((r) => r.divisionCode.length === 6));
    assert.ok(plan.rules.some((r) => r.divisionCode.length === 9));
  });

  it('has a post for every department and responsibility grids covering every unit grid once', () => {
    const covered = plan.responsibilityGrids.flatMap((g) => g.gridCodes);
    assert.equal(new Set(covered).size, covered.length);
    assert.equal(covered.length, count('grid'));
    for (const m of modules.modules)
      for (const d of m.departments ?? [])
        assert.ok(
          plan.posts.some((p) => p.departmentCode === d.code),
          d.code,
        );
  });
});

for (const backend of testBackends()) {
  describe(`seeding the demo city (${backend})`, () => {
    let t: TestApp;
    let result: SeedDemoResult;
    before(async () => {
      t = await buildTestApp(backend);
      result = await seedDemoCity(t, { seed: 1, password: 'Demo-city-2026' });
    });
    after(() => t.dispose());

    it('writes what the plan holds', async () => {
      const plan = planDemoCity(1, t.kernel.modules);
      assert.equal(result.digest, plan.digest);
      assert.equal(result.counts.grids, plan.divisions.filter((d) => d.level === 'grid').length);
      assert.ok(result.counts.departments >= 15, `${result.counts.departments} departments`);
      const exported = await exportDivisions(t.kernel.db, systemActor(t.clock.now()));
      const stored = parseDivisionCollection(exported);
      assert.deepEqual(
        stored.map((d) => [d.code, d.parentCode, d.name, d.boundary]),
        plan.divisions.map((d) => [d.code, d.parentCode, d.name, d.boundary]),
      );
      // Same seed → same bytes of export (and hash) as the plan would give.
      const hash = createHash('sha256')
        .update(JSON.stringify(stored.map((d) => d.boundary)))
        .digest('hex');
      const planned = createHash('sha256')
        .update(JSON.stringify(plan.divisions.map((d) => d.boundary)))
        .digest('hex');
      assert.equal(hash, planned);
    });

    it('answers locate and resolve on the demo city', async () => {
      const plan = planDemoCity(1, t.kernel.modules);
      const grid = plan.divisions.find((d) => d.level === 'grid' && d.boundary.type === 'Polygon')!;
      const ring = grid.boundary.type === 'Polygon' ? grid.boundary.coordinates[0] : [];
      const lon = (ring[0][0] + ring[1][0] + ring[2][0] + ring[3][0]) / 4;
      const lat = (ring[0][1] + ring[1][1] + ring[2][1] + ring[3][1]) / 4;
      assert.equal(t.services(ORG).locate(lat, lon)?.grid?.code, grid.code);
      assert.equal(t.services(ORG).locate(0, 0), null);
      const actor = systemActor(t.clock.now());
      const { rules, version } = await listRules(t.kernel.db, actor);
      assert.equal(version, result.listVersion);
      const override = rules.find((r) => r.divisionCode.length === 6)!;
      const inside = plan.divisions.find(
        (d) => d.level === 'grid' && d.code.startsWith(override.divisionCode),
      )!;
      const r = await t.services(ORG).resolveResponsibility(t.kernel.db, override.category, inside.code);
      assert.equal(r.ruleId, override.ruleId);
      assert.equal(r.lead, override.lead);
    });

    it('creates one demo user per role, placed in the demo city', async () => {
      const { items } = await listUsers(t.kernel.db, SYSTEM_PRINCIPAL, { q: 'demo.', limit: 100 });
      assert.equal(items.length, 10);
      const worker = items.find((u) => u.username === 'demo.grid_worker')!;
      assert.match(worker.divisionCodes[0], /^3301\d{10}$/);
      const rg = await t.kernel.db
        .selectFrom('org_responsibility_grid')
        .select(['code', 'worker_ids'])
        .execute();
      assert.ok(rg.some((g) => (g.worker_ids as string[]).includes(worker.id)));
    });

    it('refuses to seed a city that already has divisions', async () => {
      await assert.rejects(seedDemoCity(t, { seed: 2 }), { code: 'demo.not_empty' });
    });
  });
}
