import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ATTRIBUTE_DATATYPES,
  CATEGORY_KINDS,
  type CategoryDeclaration,
  DEPARTMENT_KINDS,
  type ModuleDefinition,
  RATE_UNITS,
  RULE_AGGREGATES,
  RULE_CONDITION_KINDS,
  RULE_OPERATORS,
  type RuleCondition,
  type RuleConditionKind,
  type RuleDeclaration,
  type RuleOperator,
  SEVERITIES,
  STAGES,
  type StageLimits,
  TIME_BASES,
  URGENCIES,
  type Urgency,
  WIDGET_KINDS,
} from './module-sdk.ts';

/** A declaration that does not hold; names the module and the field. */
export class ModuleValidationError extends Error {
  constructor(
    readonly moduleId: string,
    readonly field: string,
    problem: string,
  ) {
    super(`Module "${moduleId}": ${field} ${problem}`);
    this.name = 'ModuleValidationError';
  }
}

/** A category with the module that declares it and its effective (inherited) settings. */
export interface RegisteredCategory extends CategoryDeclaration {
  readonly moduleId: string;
}

/** The validated set of enabled plates, with lookups across them. */
export interface ModuleRegistry {
  readonly modules: readonly ModuleDefinition[];
  module(id: string): ModuleDefinition | undefined;
  category(code: string): RegisteredCategory | undefined;
  categories(): readonly RegisteredCategory[];
  /** Stage limits of a category for an urgency, inherited from its parent when not its own. */
  stageLimits(code: string, urgency: Urgency): StageLimits | undefined;
}

export interface RegistryOptions {
  /** Department codes that exist without a module (the core's own, e.g. district governments). */
  coreDepartments?: readonly string[];
}

const ID = /^[a-z][a-z0-9-]*$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Validates plates one by one and then across each other; throws the first problem as a
 * {@link ModuleValidationError}. Returns the registry of the valid set.
 */
export function createModuleRegistry(
  definitions: readonly ModuleDefinition[],
  options: RegistryOptions = {},
): ModuleRegistry {
  const categories = new Map<string, RegisteredCategory>();
  const departments = new Set<string>(options.coreDepartments ?? []);
  const sensorTypes = new Map<string, { moduleId: string; properties: Set<string> }>();
  const entityTypes = new Map<string, string>();
  const ids = new Set<string>();

  for (const def of definitions) validateShape(def);
  for (const def of definitions) {
    if (ids.has(def.id)) throw new ModuleValidationError(def.id, 'id', 'is declared by two modules');
    ids.add(def.id);
    (def.departments ?? []).forEach((d, i) => {
      if (departments.has(d.code) && !(options.coreDepartments ?? []).includes(d.code))
        throw new ModuleValidationError(def.id, `departments[${i}].code`, `"${d.code}" is declared twice`);
      departments.add(d.code);
    });
    (def.categories ?? []).forEach((c, i) => {
      const other = categories.get(c.code);
      if (other)
        throw new ModuleValidationError(
          def.id,
          `categories[${i}].code`,
          `"${c.code}" is already declared by module "${other.moduleId}"`,
        );
      categories.set(c.code, { ...c, moduleId: def.id });
    });
    (def.sensorTypes ?? []).forEach((s, i) => {
      if (sensorTypes.has(s.code))
        throw new ModuleValidationError(def.id, `sensorTypes[${i}].code`, `"${s.code}" is declared twice`);
      const properties = new Set<string>();
      for (const [j, d] of s.datastreams.entries()) {
        if (properties.has(d.property))
          throw new ModuleValidationError(
            def.id,
            `sensorTypes[${i}].datastreams[${j}].property`,
            `"${d.property}" is declared twice`,
          );
        properties.add(d.property);
      }
      for (const [j, d] of (s.derived ?? []).entries()) {
        if (properties.has(d.property))
          throw new ModuleValidationError(
            def.id,
            `sensorTypes[${i}].derived[${j}].property`,
            `"${d.property}" is declared twice`,
          );
        properties.add(d.property);
      }
      sensorTypes.set(s.code, { moduleId: def.id, properties });
    });
    (def.entityTypes ?? []).forEach((e, i) => {
      const other = entityTypes.get(e.type);
      if (other)
        throw new ModuleValidationError(
          def.id,
          `entityTypes[${i}].type`,
          `"${e.type}" is already declared by module "${other}"`,
        );
      entityTypes.set(e.type, def.id);
    });
  }

  // References across declarations (after everything is known).
  for (const def of definitions) {
    (def.departments ?? []).forEach((d, i) => {
      if (d.parent && !departments.has(d.parent))
        throw new ModuleValidationError(
          def.id,
          `departments[${i}].parent`,
          `"${d.parent}" is not a known department`,
        );
    });
    (def.categories ?? []).forEach((c, i) => {
      const f = `categories[${i}]`;
      if (c.parent) {
        const parent = categories.get(c.parent);
        if (!parent || parent.moduleId !== def.id)
          throw new ModuleValidationError(
            def.id,
            `${f}.parent`,
            `"${c.parent}" is not a category of this module`,
          );
        if (parent.parent)
          throw new ModuleValidationError(def.id, `${f}.parent`, `"${c.parent}" is itself a minor class`);
        if (parent.kind !== c.kind)
          throw new ModuleValidationError(
            def.id,
            `${f}.kind`,
            `"${c.kind}" differs from its parent's "${parent.kind}"`,
          );
      }
      const resp = c.defaultResponsibility;
      if (resp) {
        if (!departments.has(resp.lead))
          throw new ModuleValidationError(
            def.id,
            `${f}.defaultResponsibility.lead`,
            `"${resp.lead}" is not a known department`,
          );
        (resp.assist ?? []).forEach((a, j) => {
          if (!departments.has(a))
            throw new ModuleValidationError(
              def.id,
              `${f}.defaultResponsibility.assist[${j}]`,
              `"${a}" is not a known department`,
            );
        });
      }
    });
    (def.rules ?? []).forEach((r, i) => {
      const f = `rules[${i}]`;
      const st = sensorTypes.get(r.sensorType);
      if (!st)
        throw new ModuleValidationError(
          def.id,
          `${f}.sensorType`,
          `"${r.sensorType}" is not a known sensor type`,
        );
      for (const { field, property } of ruleProperties(r, f))
        if (!st.properties.has(property))
          throw new ModuleValidationError(
            def.id,
            field,
            `"${property}" is not a property of sensor type "${r.sensorType}"`,
          );
      if (r.createCase && !categories.has(r.createCase.category))
        throw new ModuleValidationError(
          def.id,
          `${f}.createCase.category`,
          `"${r.createCase.category}" is not a known category`,
        );
    });
    (def.mapLayers ?? []).forEach((l, i) => {
      if (l.source === 'devices' && !sensorTypes.has(l.filter))
        throw new ModuleValidationError(
          def.id,
          `mapLayers[${i}].filter`,
          `"${l.filter}" is not a known sensor type`,
        );
    });
  }

  const modules = Object.freeze([...definitions]);
  const byId = new Map(modules.map((m) => [m.id, m]));
  const categoryList = Object.freeze([...categories.values()]);
  return Object.freeze({
    modules,
    module: (id: string) => byId.get(id),
    category: (code: string) => categories.get(code),
    categories: () => categoryList,
    stageLimits: (code: string, urgency: Urgency) => {
      const c = categories.get(code);
      if (!c) return undefined;
      return (
        c.timeLimits?.[urgency] ?? (c.parent ? categories.get(c.parent)?.timeLimits?.[urgency] : undefined)
      );
    },
  });
}

function isText(v: unknown): boolean {
  const t = v as Record<string, unknown> | undefined;
  return (
    !!t && typeof t['zh-CN'] === 'string' && t['zh-CN'] !== '' && typeof t.en === 'string' && t.en !== ''
  );
}

function oneOf(id: string, field: string, value: unknown, allowed: readonly string[]) {
  if (!allowed.includes(value as string))
    throw new ModuleValidationError(
      id,
      field,
      `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`,
    );
}

function needText(id: string, field: string, value: unknown) {
  if (!isText(value)) throw new ModuleValidationError(id, field, 'must name it in zh-CN and en');
}

function needCode(id: string, field: string, value: unknown) {
  if (typeof value !== 'string' || !CODE.test(value))
    throw new ModuleValidationError(
      id,
      field,
      `must be a code of letters, digits, ".", "_" or "-" (got ${JSON.stringify(value)})`,
    );
}

function list(id: string, field: string, value: unknown): readonly Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ModuleValidationError(id, field, 'must be a list');
  return value;
}

/** A finite number of minutes, > 0 (or ≥ 0 when `zero` is allowed). */
function isDuration(value: unknown, zero: boolean): boolean {
  return typeof value === 'number' && Number.isFinite(value) && (zero ? value >= 0 : value > 0);
}

/** How deep `and`/`or`/`not` may nest in a rule condition. */
const MAX_CONDITION_DEPTH = 8;

/** Operator, threshold and the clear level of hysteresis (on the clearing side). */
function validateComparison(id: string, f: string, c: Record<string, unknown>) {
  oneOf(id, `${f}.operator`, c.operator, RULE_OPERATORS);
  if (typeof c.threshold !== 'number' || !Number.isFinite(c.threshold))
    throw new ModuleValidationError(id, `${f}.threshold`, 'must be a number');
  if (c.clearThreshold === undefined) return;
  if (typeof c.clearThreshold !== 'number' || !Number.isFinite(c.clearThreshold))
    throw new ModuleValidationError(id, `${f}.clearThreshold`, 'must be a number');
  const op = c.operator as RuleOperator;
  if (op === '==' || op === '!=')
    throw new ModuleValidationError(id, `${f}.clearThreshold`, `does not apply to operator "${op}"`);
  const upward = op === '>' || op === '>=';
  if (upward ? c.clearThreshold > c.threshold : c.clearThreshold < c.threshold)
    throw new ModuleValidationError(
      id,
      `${f}.clearThreshold`,
      `must be ${upward ? 'at or below' : 'at or above'} the threshold ${c.threshold} for operator "${op}"`,
    );
}

/**
 * Checks a rule condition's shape, recursively; `depth` counts from 1. Under `not` a clear
 * level would narrow what keeps an alert open, so there the comparison is to be turned round.
 */
function validateCondition(id: string, f: string, value: unknown, depth: number, negated = false): void {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ModuleValidationError(id, f, 'must be an object');
  if (depth > MAX_CONDITION_DEPTH)
    throw new ModuleValidationError(id, f, `nests deeper than ${MAX_CONDITION_DEPTH} levels`);
  const c = value as Record<string, unknown>;
  oneOf(id, `${f}.kind`, c.kind, RULE_CONDITION_KINDS);
  if (negated && c.clearThreshold !== undefined)
    throw new ModuleValidationError(
      id,
      `${f}.clearThreshold`,
      'cannot be used under "not": state the comparison the other way round instead',
    );
  const needProperty = () => needCode(id, `${f}.property`, c.property);
  const needWindow = () => {
    if (!isDuration(c.windowMinutes, false))
      throw new ModuleValidationError(id, `${f}.windowMinutes`, 'must be a positive number of minutes');
  };
  switch (c.kind as RuleConditionKind) {
    case 'value':
      needProperty();
      validateComparison(id, f, c);
      return;
    case 'rate':
      needProperty();
      needWindow();
      oneOf(id, `${f}.per`, c.per, RATE_UNITS);
      validateComparison(id, f, c);
      return;
    case 'aggregate':
      needProperty();
      needWindow();
      oneOf(id, `${f}.aggregate`, c.aggregate, RULE_AGGREGATES);
      validateComparison(id, f, c);
      return;
    case 'absent':
      if (c.property !== undefined) needProperty();
      if (!isDuration(c.minutes, false))
        throw new ModuleValidationError(id, `${f}.minutes`, 'must be a positive number of minutes');
      return;
    case 'and':
    case 'or': {
      if (!Array.isArray(c.conditions) || c.conditions.length === 0)
        throw new ModuleValidationError(id, `${f}.conditions`, 'must list at least one condition');
      c.conditions.forEach((inner, j) => {
        validateCondition(id, `${f}.conditions[${j}]`, inner, depth + 1, negated);
      });
      return;
    }
    case 'not':
      validateCondition(id, `${f}.condition`, c.condition, depth + 1, true);
      return;
  }
}

/** Every property a (shape-checked) rule reads, with the field that names it. */
function ruleProperties(rule: RuleDeclaration, f: string): { field: string; property: string }[] {
  if (rule.condition === undefined) return [{ field: `${f}.property`, property: rule.property }];
  const out: { field: string; property: string }[] = [];
  const walk = (c: RuleCondition, at: string) => {
    if (c.kind === 'and' || c.kind === 'or')
      for (const [j, inner] of c.conditions.entries()) walk(inner, `${at}.conditions[${j}]`);
    else if (c.kind === 'not') walk(c.condition, `${at}.condition`);
    else if (c.property !== undefined) out.push({ field: `${at}.property`, property: c.property });
  };
  walk(rule.condition, `${f}.condition`);
  return out;
}

/** Checks one declaration on its own: types, enums, required names. */
function validateShape(def: ModuleDefinition): void {
  const raw = def as unknown as Record<string, unknown>;
  const id = typeof raw?.id === 'string' ? raw.id : '(no id)';
  if (!raw || typeof raw !== 'object') throw new ModuleValidationError(id, 'definition', 'must be an object');
  if (typeof raw.id !== 'string' || !ID.test(raw.id))
    throw new ModuleValidationError(id, 'id', 'must be lowercase kebab-case');
  needText(id, 'name', raw.name);
  if (raw.description !== undefined) needText(id, 'description', raw.description);
  if (typeof raw.version !== 'string' || !/^\d+\.\d+\.\d+/.test(raw.version))
    throw new ModuleValidationError(id, 'version', 'must be a semantic version such as 1.0.0');

  list(id, 'departments', raw.departments).forEach((d, i) => {
    needCode(id, `departments[${i}].code`, d.code);
    needText(id, `departments[${i}].name`, d.name);
    oneOf(id, `departments[${i}].kind`, d.kind, DEPARTMENT_KINDS);
  });

  list(id, 'categories', raw.categories).forEach((c, i) => {
    const f = `categories[${i}]`;
    needCode(id, `${f}.code`, c.code);
    needText(id, `${f}.name`, c.name);
    oneOf(id, `${f}.kind`, c.kind, CATEGORY_KINDS);
    if (c.classNumber !== undefined && (typeof c.classNumber !== 'string' || !/^\d{2}$/.test(c.classNumber)))
      throw new ModuleValidationError(id, `${f}.classNumber`, 'must be two digits');
    if (c.defaultUrgency !== undefined) oneOf(id, `${f}.defaultUrgency`, c.defaultUrgency, URGENCIES);
    if (c.timeLimits !== undefined) {
      const tl = c.timeLimits as Record<string, Record<string, unknown>>;
      if (!tl || typeof tl !== 'object')
        throw new ModuleValidationError(id, `${f}.timeLimits`, 'must be an object');
      for (const [u, limits] of Object.entries(tl)) {
        oneOf(id, `${f}.timeLimits`, u, URGENCIES);
        oneOf(id, `${f}.timeLimits.${u}.basis`, limits?.basis, TIME_BASES);
        const minutes = (limits?.minutes ?? {}) as Record<string, unknown>;
        for (const [stage, m] of Object.entries(minutes)) {
          oneOf(id, `${f}.timeLimits.${u}.minutes`, stage, STAGES);
          if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0)
            throw new ModuleValidationError(
              id,
              `${f}.timeLimits.${u}.minutes.${stage}`,
              'must be a positive number',
            );
        }
      }
    }
    list(id, `${f}.attributes`, c.attributes).forEach((a, j) => {
      const af = `${f}.attributes[${j}]`;
      needCode(id, `${af}.code`, a.code);
      oneOf(id, `${af}.datatype`, a.datatype, ATTRIBUTE_DATATYPES);
      needText(id, `${af}.description`, a.description);
      const isList = a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist';
      if (isList && (!Array.isArray(a.values) || a.values.length === 0))
        throw new ModuleValidationError(
          id,
          `${af}.values`,
          'must list the allowed values of a list attribute',
        );
    });
  });

  list(id, 'sensorTypes', raw.sensorTypes).forEach((s, i) => {
    const f = `sensorTypes[${i}]`;
    needCode(id, `${f}.code`, s.code);
    needText(id, `${f}.name`, s.name);
    const streams = list(id, `${f}.datastreams`, s.datastreams);
    if (streams.length === 0)
      throw new ModuleValidationError(id, `${f}.datastreams`, 'must declare at least one');
    streams.forEach((d, j) => {
      needCode(id, `${f}.datastreams[${j}].property`, d.property);
      needText(id, `${f}.datastreams[${j}].name`, d.name);
      if (typeof d.unit !== 'string' || d.unit === '')
        throw new ModuleValidationError(id, `${f}.datastreams[${j}].unit`, 'must be a UCUM unit code');
      if (typeof d.min === 'number' && typeof d.max === 'number' && d.min > d.max)
        throw new ModuleValidationError(id, `${f}.datastreams[${j}].min`, 'is greater than max');
    });
    list(id, `${f}.derived`, s.derived).forEach((d, j) => {
      needCode(id, `${f}.derived[${j}].property`, d.property);
      if (typeof d.compute !== 'function')
        throw new ModuleValidationError(id, `${f}.derived[${j}].compute`, 'must be a function');
    });
  });

  list(id, 'rules', raw.rules).forEach((r, i) => {
    const f = `rules[${i}]`;
    needCode(id, `${f}.code`, r.code);
    needText(id, `${f}.name`, r.name);
    oneOf(id, `${f}.severity`, r.severity, SEVERITIES);
    const simple = ['property', 'operator', 'threshold', 'clearThreshold'].filter((k) => r[k] !== undefined);
    if (r.condition !== undefined) {
      if (simple.length > 0)
        throw new ModuleValidationError(
          id,
          `${f}.${simple[0]}`,
          'cannot be declared beside a condition (state it inside the condition)',
        );
      validateCondition(id, `${f}.condition`, r.condition, 1);
    } else {
      if (typeof r.property !== 'string')
        throw new ModuleValidationError(
          id,
          `${f}.property`,
          'must name a property (or declare a condition instead)',
        );
      validateComparison(id, f, r);
    }
    for (const key of ['forMinutes', 'clearMinutes'])
      if (r[key] !== undefined && !isDuration(r[key], true))
        throw new ModuleValidationError(id, `${f}.${key}`, 'must be a number of minutes ≥ 0');
    if (r.maxGapMinutes !== undefined && !isDuration(r.maxGapMinutes, false))
      throw new ModuleValidationError(id, `${f}.maxGapMinutes`, 'must be a positive number of minutes');
  });

  list(id, 'entityTypes', raw.entityTypes).forEach((e, i) => {
    if (typeof e.type !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(e.type))
      throw new ModuleValidationError(id, `entityTypes[${i}].type`, 'must be an NGSI-LD type name');
    needText(id, `entityTypes[${i}].name`, e.name);
  });
  list(id, 'widgets', raw.widgets).forEach((w, i) => {
    needCode(id, `widgets[${i}].code`, w.code);
    needText(id, `widgets[${i}].name`, w.name);
    oneOf(id, `widgets[${i}].kind`, w.kind, WIDGET_KINDS);
  });
  list(id, 'mapLayers', raw.mapLayers).forEach((l, i) => {
    needCode(id, `mapLayers[${i}].code`, l.code);
    needText(id, `mapLayers[${i}].name`, l.name);
    oneOf(id, `mapLayers[${i}].source`, l.source, ['cases', 'devices']);
  });
  const hooks = (raw.hooks as Record<string, unknown> | undefined)?.on as Record<string, unknown> | undefined;
  for (const [event, fn] of Object.entries(hooks ?? {}))
    if (typeof fn !== 'function')
      throw new ModuleValidationError(id, `hooks.on["${event}"]`, 'must be a function');
}

/**
 * Imports `modules/<id>/index.ts` for each folder, keeps the enabled ones and validates
 * them together. `enabled` is `all` or a list of ids; an unknown id is an error.
 */
export async function loadModules(
  modulesDir: string,
  enabled: 'all' | readonly string[],
  options: RegistryOptions = {},
): Promise<ModuleRegistry> {
  const folders = existsSync(modulesDir)
    ? readdirSync(modulesDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(modulesDir, d.name, 'index.ts')))
        .map((d) => d.name)
        .sort()
    : [];
  if (enabled !== 'all')
    for (const id of enabled)
      if (!folders.includes(id))
        throw new ModuleValidationError(
          id,
          'ONECITY_MODULES',
          `names a module that is not under ${modulesDir}`,
        );
  const chosen = enabled === 'all' ? folders : folders.filter((f) => enabled.includes(f));
  const definitions: ModuleDefinition[] = [];
  for (const folder of chosen) {
    const mod = await import(pathToFileURL(path.join(modulesDir, folder, 'index.ts')).href);
    const def = mod.default as ModuleDefinition | undefined;
    if (!def || typeof def !== 'object')
      throw new ModuleValidationError(folder, 'default export', 'must be defineModule({...})');
    if (def.id !== folder)
      throw new ModuleValidationError(
        folder,
        'id',
        `must equal its folder name (got ${JSON.stringify(def.id)})`,
      );
    definitions.push(def);
  }
  return createModuleRegistry(definitions, options);
}
