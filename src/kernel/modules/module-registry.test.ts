import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createModuleRegistry, loadModules, ModuleValidationError } from './module-registry.ts';
import type { ModuleDefinition } from './module-sdk.ts';

/** A small valid plate; each test breaks one thing in a copy. */
function plate(id: string, overrides: Record<string, unknown> = {}): ModuleDefinition {
  return {
    id,
    name: { 'zh-CN': `模块${id}`, en: `Plate ${id}` },
    version: '1.0.0',
    departments: [{ code: `${id}-dept`, name: { 'zh-CN': '部门', en: 'Department' }, kind: 'bureau' }],
    categories: [
      {
        code: `${id}.01`,
        name: { 'zh-CN': '大类', en: 'Major' },
        kind: 'event',
        defaultUrgency: 'normal',
        timeLimits: { normal: { basis: 'working', minutes: { file: 30, handle: 3360 } } },
        defaultResponsibility: { lead: `${id}-dept` },
      },
      {
        code: `${id}.01.01`,
        name: { 'zh-CN': '小类', en: 'Minor' },
        kind: 'event',
        parent: `${id}.01`,
      },
    ],
    sensorTypes: [
      {
        code: `${id}-sensor`,
        name: { 'zh-CN': '传感器', en: 'Sensor' },
        datastreams: [{ property: 'level', name: { 'zh-CN': '水位', en: 'Level' }, unit: 'm' }],
      },
    ],
    rules: [
      {
        code: `${id}-rule`,
        name: { 'zh-CN': '规则', en: 'Rule' },
        sensorType: `${id}-sensor`,
        property: 'level',
        operator: '>',
        threshold: 3,
        severity: 'moderate',
        createCase: { category: `${id}.01.01` },
      },
    ],
    ...overrides,
  } as ModuleDefinition;
}

/** Replaces element `index` of a plate's list with a modified copy. */
function withItem(def: ModuleDefinition, list: 'categories' | 'rules', index: number, patch: object) {
  const items = [...((def[list] ?? []) as object[])];
  items[index] = { ...items[index], ...patch };
  return { ...def, [list]: items } as ModuleDefinition;
}

/** Asserts the registry refuses the plates, naming the module and the field. */
function refuses(defs: ModuleDefinition[], moduleId: string, field: string, problem?: RegExp) {
  assert.throws(
    () => createModuleRegistry(defs),
    (err: unknown) => {
      assert.ok(err instanceof ModuleValidationError, `expected ModuleValidationError, got ${err}`);
      assert.equal(err.moduleId, moduleId);
      assert.equal(err.field, field);
      assert.ok(err.message.includes(`Module "${moduleId}"`), err.message);
      assert.ok(err.message.includes(field), err.message);
      if (problem) assert.match(err.message, problem);
      return true;
    },
  );
}

describe('module registry', () => {
  it('accepts valid plates and lets minor classes inherit their parent time limits', () => {
    const registry = createModuleRegistry([plate('a'), plate('b')]);
    assert.deepEqual(
      registry.modules.map((m) => m.id),
      ['a', 'b'],
    );
    assert.equal(registry.category('a.01.01')?.moduleId, 'a');
    assert.deepEqual(registry.stageLimits('a.01.01', 'normal'), {
      basis: 'working',
      minutes: { file: 30, handle: 3360 },
    });
    assert.equal(registry.stageLimits('a.01.01', 'urgent'), undefined);
    assert.equal(registry.stageLimits('nope', 'normal'), undefined);
  });

  it('refuses a category code declared by two modules', () => {
    const b = withItem(plate('b'), 'categories', 0, { code: 'a.01' });
    refuses([plate('a'), b], 'b', 'categories[0].code', /"a\.01" is already declared by module "a"/);
  });

  it('refuses an unknown parent', () => {
    refuses(
      [withItem(plate('a'), 'categories', 1, { parent: 'a.99' })],
      'a',
      'categories[1].parent',
      /"a\.99" is not a category of this module/,
    );
  });

  it('refuses a parent declared by another module', () => {
    refuses(
      [plate('a'), withItem(plate('b'), 'categories', 1, { parent: 'a.01' })],
      'b',
      'categories[1].parent',
    );
  });

  it('refuses a parent that is itself a minor class, and a kind that differs from the parent', () => {
    const def = plate('a');
    const nested = {
      ...def,
      categories: [
        ...def.categories!,
        { code: 'a.01.01.01', name: { 'zh-CN': '细类', en: 'Sub' }, kind: 'event', parent: 'a.01.01' },
      ],
    } as ModuleDefinition;
    refuses([nested], 'a', 'categories[2].parent', /is itself a minor class/);
    refuses([withItem(plate('a'), 'categories', 1, { kind: 'component' })], 'a', 'categories[1].kind');
  });

  it('refuses an unknown default responsibility department (lead and assist)', () => {
    refuses(
      [withItem(plate('a'), 'categories', 0, { defaultResponsibility: { lead: 'ghost' } })],
      'a',
      'categories[0].defaultResponsibility.lead',
      /"ghost" is not a known department/,
    );
    refuses(
      [
        withItem(plate('a'), 'categories', 0, {
          defaultResponsibility: { lead: 'a-dept', assist: ['ghost'] },
        }),
      ],
      'a',
      'categories[0].defaultResponsibility.assist[0]',
    );
  });

  it('accepts core departments and departments of other plates as responsibility', () => {
    const core = withItem(plate('a'), 'categories', 0, { defaultResponsibility: { lead: 'district-gov' } });
    assert.ok(createModuleRegistry([core], { coreDepartments: ['district-gov'] }));
    const cross = withItem(plate('a'), 'categories', 0, { defaultResponsibility: { lead: 'b-dept' } });
    assert.ok(createModuleRegistry([cross, plate('b')]));
  });

  it('refuses a department code declared twice', () => {
    refuses(
      [plate('a'), plate('b', { departments: plate('a').departments })],
      'b',
      'departments[0].code',
      /"a-dept" is declared twice/,
    );
  });

  it('refuses a rule on an unknown sensor type', () => {
    refuses(
      [withItem(plate('a'), 'rules', 0, { sensorType: 'ghost-sensor' })],
      'a',
      'rules[0].sensorType',
      /"ghost-sensor" is not a known sensor type/,
    );
  });

  it('refuses a rule on a property the sensor type does not have', () => {
    refuses(
      [withItem(plate('a'), 'rules', 0, { property: 'pm25' })],
      'a',
      'rules[0].property',
      /"pm25" is not a property of sensor type "a-sensor"/,
    );
  });

  it('refuses a rule that opens a case in an unknown category', () => {
    refuses(
      [withItem(plate('a'), 'rules', 0, { createCase: { category: 'zz.01' } })],
      'a',
      'rules[0].createCase.category',
      /"zz\.01" is not a known category/,
    );
  });

  it('accepts a rule with a composed condition, hysteresis and durations', () => {
    const condition = {
      kind: 'and',
      conditions: [
        { kind: 'value', property: 'level', operator: '>', threshold: 3, clearThreshold: 2.5 },
        { kind: 'rate', property: 'level', windowMinutes: 30, per: 'hour', operator: '>=', threshold: 0.5 },
        {
          kind: 'or',
          conditions: [
            {
              kind: 'aggregate',
              property: 'level',
              aggregate: 'mean',
              windowMinutes: 60,
              operator: '<',
              threshold: 9,
            },
            { kind: 'not', condition: { kind: 'absent', property: 'level', minutes: 15 } },
            { kind: 'absent', minutes: 30 },
          ],
        },
      ],
    };
    const def = withItem(plate('a'), 'rules', 0, {
      property: undefined,
      operator: undefined,
      threshold: undefined,
      condition,
      forMinutes: 0,
      clearMinutes: 10,
      maxGapMinutes: 20,
    });
    assert.ok(createModuleRegistry([def]));
    assert.ok(createModuleRegistry([withItem(plate('a'), 'rules', 0, { operator: '<', clearThreshold: 4 })]));
  });

  it('refuses a rule with both a condition and a threshold, or with neither', () => {
    refuses(
      [withItem(plate('a'), 'rules', 0, { condition: { kind: 'absent', minutes: 5 } })],
      'a',
      'rules[0].property',
      /cannot be declared beside a condition/,
    );
    refuses(
      [withItem(plate('a'), 'rules', 0, { property: undefined })],
      'a',
      'rules[0].property',
      /must name a property \(or declare a condition instead\)/,
    );
  });

  it('refuses a clear level on the raising side, or on an equality', () => {
    refuses(
      [withItem(plate('a'), 'rules', 0, { clearThreshold: 4 })],
      'a',
      'rules[0].clearThreshold',
      /must be at or below the threshold 3 for operator ">"/,
    );
    refuses(
      [withItem(plate('a'), 'rules', 0, { operator: '<=', clearThreshold: 2 })],
      'a',
      'rules[0].clearThreshold',
      /at or above/,
    );
    refuses(
      [withItem(plate('a'), 'rules', 0, { operator: '==', clearThreshold: 3 })],
      'a',
      'rules[0].clearThreshold',
      /does not apply to operator "=="/,
    );
  });

  it('refuses bad durations', () => {
    refuses([withItem(plate('a'), 'rules', 0, { forMinutes: -1 })], 'a', 'rules[0].forMinutes', /≥ 0/);
    refuses([withItem(plate('a'), 'rules', 0, { clearMinutes: '5' })], 'a', 'rules[0].clearMinutes');
    refuses(
      [withItem(plate('a'), 'rules', 0, { maxGapMinutes: 0 })],
      'a',
      'rules[0].maxGapMinutes',
      /positive/,
    );
  });

  it('refuses a malformed condition, naming the field inside it', () => {
    const rule = (condition: unknown) =>
      withItem(plate('a'), 'rules', 0, {
        property: undefined,
        operator: undefined,
        threshold: undefined,
        condition,
      });
    refuses([rule({ kind: 'xor', conditions: [] })], 'a', 'rules[0].condition.kind', /must be one of value,/);
    refuses([rule({ kind: 'and', conditions: [] })], 'a', 'rules[0].condition.conditions', /at least one/);
    refuses(
      [rule({ kind: 'or', conditions: [{ kind: 'value', property: 'level', operator: '>' }] })],
      'a',
      'rules[0].condition.conditions[0].threshold',
      /must be a number/,
    );
    refuses(
      [rule({ kind: 'rate', property: 'level', windowMinutes: 0, per: 'hour', operator: '>', threshold: 1 })],
      'a',
      'rules[0].condition.windowMinutes',
    );
    refuses(
      [rule({ kind: 'rate', property: 'level', windowMinutes: 10, per: 'day', operator: '>', threshold: 1 })],
      'a',
      'rules[0].condition.per',
    );
    refuses(
      [
        rule({
          kind: 'aggregate',
          property: 'level',
          aggregate: 'median',
          windowMinutes: 10,
          operator: '>',
          threshold: 1,
        }),
      ],
      'a',
      'rules[0].condition.aggregate',
    );
    refuses(
      [rule({ kind: 'not', condition: { kind: 'absent' } })],
      'a',
      'rules[0].condition.condition.minutes',
    );
    refuses(
      [
        rule({
          kind: 'not',
          condition: {
            kind: 'or',
            conditions: [
              { kind: 'value', property: 'level', operator: '>', threshold: 3, clearThreshold: 2 },
            ],
          },
        }),
      ],
      'a',
      'rules[0].condition.condition.conditions[0].clearThreshold',
      /cannot be used under "not"/,
    );
    let deep: unknown = { kind: 'absent', minutes: 5 };
    for (let i = 0; i < 8; i++) deep = { kind: 'not', condition: deep };
    refuses([rule(deep)], 'a', `rules[0].condition${'.condition'.repeat(8)}`, /nests deeper than 8/);
  });

  it('refuses a condition on a property the sensor type does not have', () => {
    refuses(
      [
        withItem(plate('a'), 'rules', 0, {
          property: undefined,
          operator: undefined,
          threshold: undefined,
          condition: {
            kind: 'and',
            conditions: [
              { kind: 'value', property: 'level', operator: '>', threshold: 1 },
              { kind: 'not', condition: { kind: 'absent', property: 'flow', minutes: 5 } },
            ],
          },
        }),
      ],
      'a',
      'rules[0].condition.conditions[1].condition.property',
      /"flow" is not a property of sensor type "a-sensor"/,
    );
  });

  it('refuses a bad urgency, as default and as a time-limit key', () => {
    refuses(
      [withItem(plate('a'), 'categories', 0, { defaultUrgency: 'critical' })],
      'a',
      'categories[0].defaultUrgency',
      /must be one of normal, urgent, emergency \(got "critical"\)/,
    );
    refuses(
      [
        withItem(plate('a'), 'categories', 0, {
          timeLimits: { critical: { basis: 'calendar', minutes: { handle: 60 } } },
        }),
      ],
      'a',
      'categories[0].timeLimits',
      /got "critical"/,
    );
  });

  it('refuses a non-positive or non-numeric time limit', () => {
    for (const handle of [0, -5, Number.NaN, '60'])
      refuses(
        [
          withItem(plate('a'), 'categories', 0, {
            timeLimits: { normal: { basis: 'working', minutes: { handle } } },
          }),
        ],
        'a',
        'categories[0].timeLimits.normal.minutes.handle',
        /must be a positive number/,
      );
  });

  it('refuses an unknown stage or time basis', () => {
    refuses(
      [withItem(plate('a'), 'categories', 0, { timeLimits: { normal: { basis: 'lunar', minutes: {} } } })],
      'a',
      'categories[0].timeLimits.normal.basis',
    );
    refuses(
      [
        withItem(plate('a'), 'categories', 0, {
          timeLimits: { normal: { basis: 'working', minutes: { lunch: 30 } } },
        }),
      ],
      'a',
      'categories[0].timeLimits.normal.minutes',
    );
  });

  it('refuses a missing zh-CN name', () => {
    refuses(
      [withItem(plate('a'), 'categories', 1, { name: { en: 'Minor' } })],
      'a',
      'categories[1].name',
      /must name it in zh-CN and en/,
    );
    refuses([plate('a', { name: { 'zh-CN': '', en: 'Plate' } })], 'a', 'name');
  });

  it('refuses a list attribute without values', () => {
    refuses(
      [
        withItem(plate('a'), 'categories', 1, {
          attributes: [
            { code: 'kind', datatype: 'singlevaluelist', description: { 'zh-CN': '类', en: 'Kind' } },
          ],
        }),
      ],
      'a',
      'categories[1].attributes[0].values',
    );
  });

  it('refuses hooks that are not functions', () => {
    refuses(
      [plate('a', { hooks: { on: { 'case.closed': 'notify' } } })],
      'a',
      'hooks.on["case.closed"]',
      /must be a function/,
    );
    assert.ok(createModuleRegistry([plate('a', { hooks: { on: { 'case.*': () => {} } } })]));
  });

  it('refuses an id that is not kebab-case, and the same id twice', () => {
    refuses([plate('Bad_Id')], 'Bad_Id', 'id', /kebab-case/);
    refuses(
      [plate('a'), plate('a', { departments: [], categories: [], sensorTypes: [], rules: [] })],
      'a',
      'id',
    );
  });
});

describe('loadModules', () => {
  let dir: string;
  const write = (folder: string, body: string) => {
    mkdirSync(path.join(dir, folder));
    writeFileSync(path.join(dir, folder, 'index.ts'), body);
  };
  const plateSource = (id: string) =>
    `export default { id: ${JSON.stringify(id)}, name: { 'zh-CN': '测试', en: 'Test' }, version: '1.0.0' };\n`;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'onecity-modules-'));
    write('alpha', plateSource('alpha'));
    write('beta', plateSource('gamma'));
    write('delta', 'export const nothing = 1;\n');
    mkdirSync(path.join(dir, 'not-a-plate'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the plates named in configuration', async () => {
    const registry = await loadModules(dir, ['alpha']);
    assert.deepEqual(
      registry.modules.map((m) => m.id),
      ['alpha'],
    );
  });

  it('refuses a plate whose id does not match its folder', async () => {
    await assert.rejects(loadModules(dir, ['alpha', 'beta']), (err: unknown) => {
      assert.ok(err instanceof ModuleValidationError);
      assert.equal(err.moduleId, 'beta');
      assert.equal(err.field, 'id');
      assert.match(err.message, /Module "beta": id must equal its folder name \(got "gamma"\)/);
      return true;
    });
  });

  it('refuses a folder without a default export', async () => {
    await assert.rejects(loadModules(dir, ['delta']), {
      name: 'ModuleValidationError',
      message: /Module "delta": default export must be defineModule/,
    });
  });

  it('refuses ONECITY_MODULES naming a module that is not there', async () => {
    await assert.rejects(loadModules(dir, ['alpha', 'missing']), (err: unknown) => {
      assert.ok(err instanceof ModuleValidationError);
      assert.equal(err.moduleId, 'missing');
      assert.equal(err.field, 'ONECITY_MODULES');
      assert.ok(err.message.includes(dir));
      return true;
    });
    // A folder without index.ts is not a plate either.
    await assert.rejects(loadModules(dir, ['not-a-plate']), { message: /ONECITY_MODULES/ });
  });

  it('validates all plates when every one is enabled', async () => {
    await assert.rejects(loadModules(dir, 'all'), { message: /Module "beta": id/ });
  });
});
