import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultModulesDir, loadModules, type ModuleRegistry, STAGES, URGENCIES } from '../index.ts';

// Sanity of the shipped plates, loaded the way the kernel loads them.

let registry: ModuleRegistry;
before(async () => {
  registry = await loadModules(defaultModulesDir, ['city-management', 'environment']);
});

const isNamed = (t: { 'zh-CN': string; en: string } | undefined) =>
  !!t && t['zh-CN'].trim() !== '' && t.en.trim() !== '';

describe('shipped plates', () => {
  it('each loads on its own, so no plate leans on another', async () => {
    for (const id of ['city-management', 'environment']) {
      const alone = await loadModules(defaultModulesDir, [id]);
      assert.deepEqual(
        alone.modules.map((m) => m.id),
        [id],
      );
    }
  });

  it('have unique category codes, and every minor class has a major parent in its own module', () => {
    const codes = registry.categories().map((c) => c.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of registry.categories()) {
      if (!c.parent) continue;
      const parent = registry.category(c.parent);
      assert.ok(parent, `${c.code}: parent ${c.parent} exists`);
      assert.equal(parent.parent, undefined, `${c.code}: parent is a major class`);
      assert.equal(parent.moduleId, c.moduleId, `${c.code}: parent in the same module`);
      assert.ok(c.code.startsWith(`${c.parent}.`), `${c.code} extends its parent's code`);
    }
  });

  it('give every category effective limits for its default urgency, counted as docs/design.md#sla-clock says', () => {
    for (const c of registry.categories()) {
      const urgency =
        c.defaultUrgency ?? (c.parent ? registry.category(c.parent)?.defaultUrgency : undefined);
      assert.ok(urgency, `${c.code} has a default urgency`);
      for (const u of URGENCIES) {
        const limits = registry.stageLimits(c.code, u);
        if (u === urgency) assert.ok(limits, `${c.code} has limits for ${u}`);
        if (!limits) continue;
        assert.equal(limits.basis, u === 'normal' ? 'working' : 'calendar', `${c.code} ${u} basis`);
        for (const stage of STAGES) {
          const m = limits.minutes[stage];
          assert.ok(typeof m === 'number' && m > 0, `${c.code} ${u} ${stage}`);
        }
        const { file, dispatch } = limits.minutes;
        assert.ok(file! <= (u === 'normal' ? 30 : 10), `${c.code} ${u}: filing within the reference`);
        assert.ok(dispatch! <= (u === 'normal' ? 30 : 10), `${c.code} ${u}: dispatch within the reference`);
      }
    }
  });

  it('name everything in both languages', () => {
    for (const m of registry.modules) {
      assert.ok(isNamed(m.name), m.id);
      const named = [
        ...(m.departments ?? []),
        ...(m.categories ?? []),
        ...(m.sensorTypes ?? []),
        ...(m.sensorTypes ?? []).flatMap((s) => [...s.datastreams, ...(s.derived ?? [])]),
        ...(m.rules ?? []),
        ...(m.entityTypes ?? []),
        ...(m.widgets ?? []),
        ...(m.mapLayers ?? []),
      ];
      for (const item of named)
        assert.ok(isNamed(item.name), `${m.id}: ${JSON.stringify(item).slice(0, 80)}`);
      for (const c of m.categories ?? [])
        for (const a of c.attributes ?? []) {
          assert.ok(isNamed(a.description), `${c.code}.${a.code}`);
          for (const v of a.values ?? []) assert.ok(isNamed(v.name), `${c.code}.${a.code}.${v.key}`);
        }
    }
  });

  it('give every category a default responsibility among the departments its own plate declares', () => {
    for (const m of registry.modules) {
      const own = new Set((m.departments ?? []).map((d) => d.code));
      for (const c of m.categories ?? []) {
        const r = c.defaultResponsibility;
        assert.ok(r, `${c.code} has a default responsibility`);
        for (const d of [r.lead, ...(r.assist ?? [])]) assert.ok(own.has(d), `${c.code}: ${d}`);
      }
    }
  });

  it('open cases from rules only in categories of the same plate', () => {
    for (const m of registry.modules)
      for (const r of m.rules ?? [])
        if (r.createCase) assert.equal(registry.category(r.createCase.category)?.moduleId, m.id, r.code);
  });
});

describe('city-management catalogue', () => {
  const cm = () => registry.categories().filter((c) => c.moduleId === 'city-management');

  it('holds components and events in six major classes each, 60–90 classes in all', () => {
    const all = cm();
    assert.ok(all.length >= 60 && all.length <= 90, `${all.length} categories`);
    for (const [prefix, kind] of [
      ['CM.C', 'component'],
      ['CM.E', 'event'],
    ] as const) {
      const majors = all.filter((c) => !c.parent && c.code.startsWith(`${prefix}.`));
      assert.deepEqual(
        majors.map((c) => c.classNumber),
        ['01', '02', '03', '04', '05', '06'],
      );
      assert.ok(majors.every((c) => c.kind === kind));
    }
  });

  it('codes each class CM.<C|E>.<major>[.<minor>] with its two-digit class number', () => {
    for (const c of cm()) {
      const match = /^CM\.([CE])\.(\d{2})(?:\.(\d{2}))?$/.exec(c.code);
      assert.ok(match, c.code);
      assert.equal(match[1] === 'C' ? 'component' : 'event', c.kind, c.code);
      assert.equal(c.classNumber, match[3] ?? match[2], c.code);
      assert.equal(!!match[3], !!c.parent, c.code);
    }
  });

  it('asks Open311 attributes of every datatype', () => {
    const datatypes = new Set(cm().flatMap((c) => (c.attributes ?? []).map((a) => a.datatype)));
    assert.deepEqual([...datatypes].sort(), [
      'datetime',
      'multivaluelist',
      'number',
      'singlevaluelist',
      'string',
      'text',
    ]);
  });

  it('handles emergencies within 2 hours and general matters within 7 working days', () => {
    assert.equal(registry.category('CM.E.05.03')?.defaultUrgency, 'emergency');
    assert.deepEqual(registry.stageLimits('CM.E.05.03', 'emergency')?.minutes.handle, 120);
    assert.equal(registry.stageLimits('CM.E.04.02', 'normal')?.minutes.handle, 7 * 450);
    assert.equal(registry.stageLimits('CM.C.01.01', 'normal')?.minutes.handle, 450);
  });
});

describe('environment plate', () => {
  it('codes its categories ENV.E.<major>[.<minor>]', () => {
    const env = registry.categories().filter((c) => c.moduleId === 'environment');
    assert.ok(env.length > 0);
    for (const c of env) assert.match(c.code, /^ENV\.E\.\d{2}(\.\d{2})?$/);
  });

  it('derives the AQI of an air-quality station through the SDK', () => {
    const station = registry
      .module('environment')
      ?.sensorTypes?.find((s) => s.code === 'air-quality-station');
    assert.equal(station?.ngsiType, 'AirQualityObserved');
    assert.deepEqual(
      station?.datastreams.map((d) => `${d.property}:${d.unit}`),
      ['pm25:ug/m3', 'pm10:ug/m3', 'so2:ug/m3', 'no2:ug/m3', 'o3:ug/m3', 'co:mg/m3'],
    );
    const aqi = station?.derived?.find((d) => d.property === 'aqi');
    assert.equal(aqi?.compute({ pm25: 115, pm10: 40, so2: 5, no2: 20, co: 0.4, o3: 60 }), 150);
  });
});
