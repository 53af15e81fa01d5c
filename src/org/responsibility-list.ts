/**
 * The responsibility list (权责清单): rules mapping (category, division subtree) to a lead
 * department and assisting departments. Versioned: every change makes a new list version
 * and each version's rules stay queryable (a rule row is valid from one version until the
 * version that replaced it). Resolution picks the most specific rule (docs/divisions.md).
 */
import { sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import { type Actor, assertInJurisdiction, authorize } from '../identity/index.ts';
import {
  ConflictError,
  type Db,
  InvalidInputError,
  type ModuleRegistry,
  NotFoundError,
  type RegisteredCategory,
} from '../kernel/index.ts';
import { assertDepartmentsExist, COMMAND_CENTER, districtGovernmentCode } from './departments.ts';
import { CODE_LENGTH, DIVISION_LEVELS, levelOfCode } from './division-levels.ts';
import type { LocatedChain } from './division-index.ts';
import { inTransaction } from './in-transaction.ts';
import type { Selectable } from 'kysely';
import type { DivisionLocator } from './locate.ts';
import { locatedChain } from './org-schemas.ts';
import type { OrgResponsibilityRuleTable } from './org-tables.ts';

/** A rule of the list. `category` is a category code or a prefix pattern ending in `*`. */
export interface ResponsibilityRule {
  ruleId: string;
  category: string;
  divisionCode: string;
  lead: string;
  assist: string[];
  note: string;
  /** The list version that introduced this form of the rule. */
  sinceVersion: number;
}

export interface RuleInput {
  category: string;
  divisionCode: string;
  lead: string;
  assist?: string[];
  note?: string;
}

/** Who is responsible, and why. */
export interface Responsibility {
  lead: string;
  assist: string[];
  /** The deciding rule, or null when a fallback decided. */
  ruleId: string | null;
  /** The list version consulted (0 before the first rule). */
  listVersion: number;
  /** `rule`, `category_default` (the plate's default) or `district_government` / `command_center`. */
  source: 'rule' | 'category_default' | 'district_government' | 'command_center';
  rule: ResponsibilityRule | null;
}

export interface ListVersion {
  version: number;
  createdAt: string;
  actor: string;
  note: string;
}

/** A rule of `org_responsibility_rule`, as a version lists it. */
type RuleRow = Omit<Selectable<OrgResponsibilityRuleTable>, 'row_id' | 'to_version'>;

const toRule = (r: RuleRow): ResponsibilityRule => ({
  ruleId: r.rule_id,
  category: r.category,
  divisionCode: r.division_code,
  lead: r.lead,
  assist: (r.assist as string[]) ?? [],
  note: r.note,
  sinceVersion: r.from_version,
});

/** The current list version (0 when no change was ever made). */
export async function currentListVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('org_responsibility_version')
    .select((eb) => eb.fn.max<number>('version').as('v'))
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

/** Rules valid in a version (default: the current one), ordered by division code then category. */
export async function listRules(
  db: Db,
  actor: Actor,
  query: { version?: number; category?: string; division?: string } = {},
): Promise<{ version: number; rules: ResponsibilityRule[] }> {
  authorize(actor.principal, 'org.read');
  const current = await currentListVersion(db);
  const version = query.version ?? current;
  if (version < 0 || version > current || !Number.isInteger(version))
    throw new NotFoundError(
      `Responsibility list version ${version} not found.`,
      'responsibility.version_not_found',
      {
        version,
      },
    );
  let q = db
    .selectFrom('org_responsibility_rule')
    .select(['rule_id', 'category', 'division_code', 'lead', 'assist', 'note', 'from_version'])
    .where('from_version', '<=', version)
    .where((eb) => eb.or([eb('to_version', 'is', null), eb('to_version', '>', version)]))
    .orderBy('division_code')
    .orderBy('category')
    .orderBy('rule_id');
  if (query.category) q = q.where('category', '=', query.category);
  if (query.division) q = q.where('division_code', 'like', `${query.division.replace(/[^0-9]/g, '')}%`);
  return { version, rules: (await q.execute()).map((r) => toRule(r)) };
}

/** A version with its rules. */
export async function getListVersion(
  db: Db,
  actor: Actor,
  version: number,
): Promise<ListVersion & { rules: ResponsibilityRule[] }> {
  authorize(actor.principal, 'org.read');
  const row = await db
    .selectFrom('org_responsibility_version')
    .selectAll()
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row)
    throw new NotFoundError(
      `Responsibility list version ${version} not found.`,
      'responsibility.version_not_found',
      {
        version,
      },
    );
  const { rules } = await listRules(db, actor, { version });
  return {
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    actor: row.actor,
    note: row.note,
    rules,
  };
}

/** Every version, newest first. */
export async function listVersions(db: Db, actor: Actor): Promise<ListVersion[]> {
  authorize(actor.principal, 'org.read');
  const rows = await db
    .selectFrom('org_responsibility_version')
    .selectAll()
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
    actor: r.actor,
    note: r.note,
  }));
}

/** Opens the next version; the table lock serializes concurrent changes of the list. */
async function openVersion(trx: Db, actor: Actor, note: string): Promise<number> {
  await sql`lock table org_responsibility_version in exclusive mode`.execute(trx);
  const version = (await currentListVersion(trx)) + 1;
  await trx
    .insertInto('org_responsibility_version')
    .values({ version, created_at: actor.now, actor: actor.principal.id, note })
    .execute();
  return version;
}

async function nextRuleIds(trx: Db, count: number): Promise<string[]> {
  const row = await trx
    .selectFrom('org_responsibility_rule')
    .select((eb) => eb.fn.max<string>('rule_id').as('m'))
    .executeTakeFirst();
  const last = row?.m ? Number(String(row.m).slice(2)) : 0;
  return Array.from({ length: count }, (_, i) => `R-${String(last + i + 1).padStart(6, '0')}`);
}

function categoryKnown(category: string, modules: ModuleRegistry | null): boolean {
  if (category.endsWith('*')) return category.length > 1 && !category.slice(0, -1).includes('*');
  return !modules || !!modules.category(category);
}

async function checkRule(trx: Db, input: RuleInput, modules: ModuleRegistry | null) {
  if (typeof input.category !== 'string' || !categoryKnown(input.category, modules))
    throw new InvalidInputError(
      `category: "${input.category}" is neither a category of an enabled plate nor a prefix pattern like "CM.E.*".`,
      { field: 'category' },
      'responsibility.unknown_category',
    );
  if (!levelOfCode(input.divisionCode))
    throw new InvalidInputError(
      `divisionCode: "${input.divisionCode}" is not a division code.`,
      {
        field: 'divisionCode',
      },
      'division.unknown',
    );
  const division = await trx
    .selectFrom('org_division')
    .select('code')
    .where('code', '=', input.divisionCode)
    .executeTakeFirst();
  if (!division)
    throw new InvalidInputError(
      `divisionCode: ${input.divisionCode} is not a division.`,
      {
        field: 'divisionCode',
      },
      'division.unknown',
    );
  const assist = input.assist ?? [];
  if (assist.includes(input.lead))
    throw new InvalidInputError('assist must not repeat the lead department.', { field: 'assist' });
  if (new Set(assist).size !== assist.length)
    throw new InvalidInputError('assist lists a department twice.', { field: 'assist' });
  await assertDepartmentsExist(trx, [input.lead], 'lead');
  await assertDepartmentsExist(trx, assist, 'assist');
}

async function currentRuleRow(trx: Db, ruleId: string) {
  return trx
    .selectFrom('org_responsibility_rule')
    .select(['row_id', 'rule_id', 'category', 'division_code', 'lead', 'assist', 'note', 'from_version'])
    .where('rule_id', '=', ruleId)
    .where('to_version', 'is', null)
    .executeTakeFirst();
}

async function assertNoTwin(trx: Db, input: RuleInput, except?: string) {
  let q = trx
    .selectFrom('org_responsibility_rule')
    .select('rule_id')
    .where('to_version', 'is', null)
    .where('category', '=', input.category)
    .where('division_code', '=', input.divisionCode);
  if (except) q = q.where('rule_id', '!=', except);
  const twin = await q.executeTakeFirst();
  if (twin)
    throw new ConflictError(
      `Rule ${twin.rule_id} already covers category ${input.category} in division ${input.divisionCode}.`,
      'responsibility.duplicate_rule',
      { ruleId: twin.rule_id },
    );
}

const ruleRow = (ruleId: string, input: RuleInput, version: number) => ({
  rule_id: ruleId,
  category: input.category,
  division_code: input.divisionCode,
  lead: input.lead,
  assist: JSON.stringify(input.assist ?? []),
  note: input.note ?? '',
  from_version: version,
  to_version: null,
});

/** Adds rules as one new version (the demo seed's and bulk loads' path). */
export async function addRules(
  db: Db,
  inputs: readonly RuleInput[],
  actor: Actor,
  options: { note?: string; modules?: ModuleRegistry } = {},
): Promise<{ version: number; rules: ResponsibilityRule[] }> {
  authorize(actor.principal, 'org.write');
  for (const r of inputs) assertInJurisdiction(actor.principal, r.divisionCode, `Division ${r.divisionCode}`);
  const modules = options.modules ?? null;
  return inTransaction(db, actor, async (trx) => {
    const seen = new Set<string>();
    for (const [i, r] of inputs.entries()) {
      const key = `${r.category}@${r.divisionCode}`;
      if (seen.has(key))
        throw new InvalidInputError(
          `rules[${i}] repeats ${key}.`,
          { index: i },
          'responsibility.duplicate_rule',
        );
      seen.add(key);
      await checkRule(trx, r, modules);
      await assertNoTwin(trx, r);
    }
    const version = await openVersion(trx, actor, options.note ?? `add ${inputs.length} rule(s)`);
    const ids = await nextRuleIds(trx, inputs.length);
    const rules: ResponsibilityRule[] = [];
    for (const [i, r] of inputs.entries()) {
      const row = ruleRow(ids[i], r, version);
      await trx.insertInto('org_responsibility_rule').values(row).execute();
      const rule = toRule({ ...row, assist: r.assist ?? [] });
      rules.push(rule);
      await appendAudit(trx, {
        actor: actor.principal.id,
        action: 'responsibility.rule.create',
        objectType: 'responsibility_rule',
        objectId: ids[i],
        requestId: actor.requestId,
        after: { ...rule, listVersion: version },
        at: actor.now,
      });
    }
    return { version, rules };
  });
}

/** Creates one rule (a new list version). */
export async function createRule(
  db: Db,
  input: RuleInput,
  actor: Actor,
  options: { modules?: ModuleRegistry } = {},
): Promise<ResponsibilityRule & { listVersion: number }> {
  const { version, rules } = await addRules(db, [input], actor, {
    note: `create rule for ${input.category} in ${input.divisionCode}`,
    ...options,
  });
  return { ...rules[0], listVersion: version };
}

/** Replaces a rule's lead, assistants, note, category or division (a new list version). */
export async function updateRule(
  db: Db,
  ruleId: string,
  patch: Partial<RuleInput>,
  actor: Actor,
  options: { modules?: ModuleRegistry } = {},
): Promise<ResponsibilityRule & { listVersion: number }> {
  authorize(actor.principal, 'org.write');
  const modules = options.modules ?? null;
  return inTransaction(db, actor, async (trx) => {
    const row = await currentRuleRow(trx, ruleId);
    if (!row)
      throw new NotFoundError(`Responsibility rule ${ruleId} not found.`, 'responsibility.rule_not_found');
    const before = toRule(row);
    assertInJurisdiction(actor.principal, before.divisionCode, `Responsibility rule ${ruleId}`);
    const next: RuleInput = {
      category: patch.category ?? before.category,
      divisionCode: patch.divisionCode ?? before.divisionCode,
      lead: patch.lead ?? before.lead,
      assist: patch.assist ?? before.assist,
      note: patch.note ?? before.note,
    };
    assertInJurisdiction(actor.principal, next.divisionCode, `Division ${next.divisionCode}`);
    await checkRule(trx, next, modules);
    await assertNoTwin(trx, next, ruleId);
    const version = await openVersion(trx, actor, `update rule ${ruleId}`);
    await trx
      .updateTable('org_responsibility_rule')
      .set({ to_version: version })
      .where('row_id', '=', row.row_id)
      .execute();
    const newRow = ruleRow(ruleId, next, version);
    await trx.insertInto('org_responsibility_rule').values(newRow).execute();
    const after = toRule({ ...newRow, assist: next.assist ?? [] });
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'responsibility.rule.update',
      objectType: 'responsibility_rule',
      objectId: ruleId,
      requestId: actor.requestId,
      before,
      after: { ...after, listVersion: version },
      at: actor.now,
    });
    return { ...after, listVersion: version };
  });
}

/** Retires a rule (a new list version without it). */
export async function deleteRule(db: Db, ruleId: string, actor: Actor): Promise<{ listVersion: number }> {
  authorize(actor.principal, 'org.write');
  return inTransaction(db, actor, async (trx) => {
    const row = await currentRuleRow(trx, ruleId);
    if (!row)
      throw new NotFoundError(`Responsibility rule ${ruleId} not found.`, 'responsibility.rule_not_found');
    const before = toRule(row);
    assertInJurisdiction(actor.principal, before.divisionCode, `Responsibility rule ${ruleId}`);
    const version = await openVersion(trx, actor, `delete rule ${ruleId}`);
    await trx
      .updateTable('org_responsibility_rule')
      .set({ to_version: version })
      .where('row_id', '=', row.row_id)
      .execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'responsibility.rule.delete',
      objectType: 'responsibility_rule',
      objectId: ruleId,
      requestId: actor.requestId,
      before,
      after: { listVersion: version },
      at: actor.now,
    });
    return { listVersion: version };
  });
}

/** The category and its ancestors, nearest first, per the plates' declarations. */
function categoryLineage(code: string, modules: ModuleRegistry | null): RegisteredCategory[] {
  const out: RegisteredCategory[] = [];
  let c = modules?.category(code);
  while (c && out.length < 16) {
    out.push(c);
    c = c.parent ? modules?.category(c.parent) : undefined;
  }
  return out;
}

/**
 * How specifically a rule's category matches: the exact category beats its parent class,
 * which beats a prefix pattern; longer patterns beat shorter ones. -1 when it does not match.
 */
function categoryScore(ruleCategory: string, code: string, lineage: readonly string[]): number {
  if (ruleCategory === code) return 1000;
  const k = lineage.indexOf(ruleCategory);
  if (k > 0) return 1000 - k;
  if (ruleCategory.endsWith('*') && code.startsWith(ruleCategory.slice(0, -1))) return ruleCategory.length;
  return -1;
}

/**
 * Who is responsible for a category at a division: the most specific current rule (the
 * longest division code, then the most specific category match, then the lowest rule id);
 * else the category's default from its plate (or its parent class's); else the district
 * government of the division; else the command center.
 */
export async function resolveResponsibility(
  db: Db,
  categoryCode: string,
  divisionCode: string,
  options: {
    modules?: ModuleRegistry;
    /**
     * With `listVersion` (read by the caller with `currentListVersion`, in its transaction
     * if it has one): the answer at that version, from `cache` (the app's, for its
     * database). No read at all once the version's rules are loaded.
     */
    cached?: { listVersion: number; cache: ResponsibilityCache };
  } = {},
): Promise<Responsibility> {
  const modules = options.modules ?? null;
  if (options.cached)
    return options.cached.cache.resolve(db, categoryCode, divisionCode, options.cached.listVersion, modules);
  const prefixes = DIVISION_LEVELS.map((l) => CODE_LENGTH[l])
    .filter((n) => n <= divisionCode.length)
    .map((n) => divisionCode.slice(0, n));
  const lineage = categoryLineage(categoryCode, modules).map((c) => c.code);
  if (!lineage.length) lineage.push(categoryCode);
  const [listVersion, rows] = await Promise.all([
    currentListVersion(db),
    prefixes.length
      ? db
          .selectFrom('org_responsibility_rule')
          .select(['rule_id', 'category', 'division_code', 'lead', 'assist', 'note', 'from_version'])
          .where('to_version', 'is', null)
          .where('division_code', 'in', prefixes)
          .execute()
      : Promise.resolve([]),
  ]);
  return pickResponsibility(rows, categoryCode, divisionCode, lineage, modules, listVersion);
}

/** The most specific of `rows` (current rules at the division's prefixes), else the fallbacks. */
function pickResponsibility(
  rows: readonly RuleRow[],
  categoryCode: string,
  divisionCode: string,
  lineage: readonly string[],
  modules: ModuleRegistry | null,
  listVersion: number,
): Responsibility {
  let best: { rule: ResponsibilityRule; score: number } | null = null;
  for (const r of rows) {
    const rule = toRule(r);
    const score = categoryScore(rule.category, categoryCode, lineage);
    if (score < 0) continue;
    if (
      !best ||
      rule.divisionCode.length > best.rule.divisionCode.length ||
      (rule.divisionCode.length === best.rule.divisionCode.length &&
        (score > best.score || (score === best.score && rule.ruleId < best.rule.ruleId)))
    )
      best = { rule, score };
  }
  if (best)
    return {
      lead: best.rule.lead,
      assist: best.rule.assist,
      ruleId: best.rule.ruleId,
      listVersion,
      source: 'rule',
      rule: best.rule,
    };
  for (const code of lineage) {
    const d = modules?.category(code)?.defaultResponsibility;
    if (d)
      return {
        lead: d.lead,
        assist: [...(d.assist ?? [])],
        ruleId: null,
        listVersion,
        source: 'category_default',
        rule: null,
      };
  }
  if (divisionCode.length >= CODE_LENGTH.district)
    return {
      lead: districtGovernmentCode(divisionCode.slice(0, CODE_LENGTH.district)),
      assist: [],
      ruleId: null,
      listVersion,
      source: 'district_government',
      rule: null,
    };
  return {
    lead: COMMAND_CENTER,
    assist: [],
    ruleId: null,
    listVersion,
    source: 'command_center',
    rule: null,
  };
}

const divisionPrefixes = (divisionCode: string) =>
  DIVISION_LEVELS.map((l) => CODE_LENGTH[l])
    .filter((n) => n <= divisionCode.length)
    .map((n) => divisionCode.slice(0, n));

const lineageOf = (categoryCode: string, modules: ModuleRegistry | null) => {
  const lineage = categoryLineage(categoryCode, modules).map((c) => c.code);
  if (!lineage.length) lineage.push(categoryCode);
  return lineage;
};

/**
 * `resolveResponsibility` at a given list version, cached in memory: the rules valid at a
 * version never change (a change makes a new version), so one read per version serves every
 * later answer, and each (category, division) is worked out once per version. Only the
 * newest version seen is kept. One cache per app (its org capability's instance owns it:
 * version numbers are per database), one resolver per module registry.
 */
export class ResponsibilityCache {
  readonly #byModules = new Map<ModuleRegistry | null, ReturnType<typeof createResponsibilityResolver>>();

  /** The answer at `listVersion`, read once per version. */
  resolve(
    db: Db,
    categoryCode: string,
    divisionCode: string,
    listVersion: number,
    modules: ModuleRegistry | null,
  ): Promise<Responsibility> {
    let resolve = this.#byModules.get(modules);
    if (!resolve) {
      resolve = createResponsibilityResolver(modules);
      this.#byModules.set(modules, resolve);
    }
    return resolve(db, categoryCode, divisionCode, listVersion);
  }
}

function createResponsibilityResolver(modules: ModuleRegistry | null) {
  let version = -1;
  let loading: Promise<Map<string, RuleRow[]>> | null = null;
  let answers = new Map<string, Responsibility>();
  const rulesAt = (db: Db, v: number) => {
    if (v !== version || !loading) {
      version = v;
      answers = new Map();
      loading = db
        .selectFrom('org_responsibility_rule')
        .select(['rule_id', 'category', 'division_code', 'lead', 'assist', 'note', 'from_version'])
        .where('from_version', '<=', v)
        .where((eb) => eb.or([eb('to_version', 'is', null), eb('to_version', '>', v)]))
        .execute()
        .then((rows) => {
          const byDivision = new Map<string, RuleRow[]>();
          for (const r of rows) {
            const list = byDivision.get(r.division_code);
            if (list) list.push(r);
            else byDivision.set(r.division_code, [r]);
          }
          return byDivision;
        });
      loading.catch(() => {
        if (version === v) loading = null;
      });
    }
    return loading;
  };
  return async (db: Db, categoryCode: string, divisionCode: string, listVersion: number) => {
    const byDivision = await rulesAt(db, listVersion);
    const k = `${categoryCode}\u0000${divisionCode}`;
    const known = listVersion === version ? answers.get(k) : undefined;
    if (known) return structuredClone(known);
    const rows = divisionPrefixes(divisionCode).flatMap((p) => byDivision.get(p) ?? []);
    const answer = pickResponsibility(
      rows,
      categoryCode,
      divisionCode,
      lineageOf(categoryCode, modules),
      modules,
      listVersion,
    );
    if (listVersion === version) answers.set(k, answer);
    return structuredClone(answer);
  };
}

/** The answer to "who is responsible for category C here", with where "here" is. */
export interface ResponsibilityAnswer extends Responsibility {
  category: string;
  divisionCode: string;
  location: LocatedChain | null;
}

const ruleSchema = {
  type: ['object', 'null'],
  properties: {
    ruleId: { type: 'string' },
    category: { type: 'string' },
    divisionCode: { type: 'string' },
    lead: { type: 'string' },
    assist: { type: 'array', items: { type: 'string' } },
    note: { type: 'string' },
    sinceVersion: { type: 'integer' },
  },
} as const;

/** {@link ResponsibilityAnswer}, what the serialiser writes (every property, or it is dropped). */
export const responsibilityAnswerSchema = {
  type: 'object',
  properties: {
    category: { type: 'string' },
    divisionCode: { type: 'string' },
    location: { ...locatedChain, type: ['object', 'null'] },
    lead: { type: 'string' },
    assist: { type: 'array', items: { type: 'string' } },
    ruleId: { type: ['string', 'null'] },
    listVersion: { type: 'integer', description: '0 before the first rule' },
    source: { type: 'string', enum: ['rule', 'category_default', 'district_government', 'command_center'] },
    rule: ruleSchema,
  },
} as const;

/**
 * Resolves responsibility for a category at a point (located in the city) or at a
 * division. Unknown categories and divisions answer clear errors rather than a guess.
 */
export async function whoIsResponsible(
  db: Db,
  actor: Actor,
  query: { category: string; lat?: number; lon?: number; division?: string },
  options: { modules?: ModuleRegistry; locator: DivisionLocator },
): Promise<ResponsibilityAnswer> {
  authorize(actor.principal, 'org.read');
  const modules = options.modules ?? null;
  if (modules && !modules.category(query.category))
    throw new NotFoundError(
      `Category ${query.category} is not offered by any enabled plate.`,
      'category.not_found',
      {
        category: query.category,
      },
    );
  let divisionCode: string;
  let location: LocatedChain | null = null;
  if (query.lat !== undefined || query.lon !== undefined) {
    location = options.locator.locateInCity(query.lat as number, query.lon as number);
    const deepest =
      location.grid ?? location.community ?? location.street ?? location.district ?? location.city;
    divisionCode = deepest!.code;
  } else if (query.division) {
    const d = await db
      .selectFrom('org_division')
      .select('code')
      .where('code', '=', query.division)
      .executeTakeFirst();
    if (!d) throw new NotFoundError(`Division ${query.division} not found.`, 'division.not_found');
    divisionCode = d.code;
  } else {
    throw new InvalidInputError('Give lat and lon, or division.', { field: 'division' });
  }
  const r = await resolveResponsibility(db, query.category, divisionCode, { modules: modules ?? undefined });
  return { category: query.category, divisionCode, location, ...r };
}
