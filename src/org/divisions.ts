/**
 * Divisions (city → district → street → community → unit grid): reading, validated
 * GeoJSON import/export, and single-division changes. Every write goes through
 * {@link saveDivisions}, which validates the whole resulting hierarchy in memory before
 * touching the database, so a bad file changes nothing.
 */
import { appendAudit } from '../audit/index.ts';
import { type Actor, assertInJurisdiction, authorize } from '../identity/index.ts';
import {
  ConflictError,
  type Db,
  InvalidInputError,
  type LocalizedText,
  NotFoundError,
} from '../kernel/index.ts';
import { ensureDivisionDepartments } from './departments.ts';
import { inTransaction } from './in-transaction.ts';
import { orgEvents } from './org-events.ts';
import {
  CODE_LENGTH,
  DIVISION_LEVELS,
  type DivisionLevel,
  levelOfCode,
  parentCodeOf,
} from './division-levels.ts';
import {
  type AreaGeometry,
  areaSquareMetres,
  type BBox,
  bboxOf,
  geometryProblem,
  interiorsOverlap,
  withinArea,
} from './geometry.ts';
import type { Selectable } from 'kysely';
import type { OrgDivisionTable } from './org-tables.ts';
import { divisionLevel, localizedText } from './org-schemas.ts';

/**
 * Tolerance of the import checks, in degrees (about 0.1 m): a child may stick out of its
 * parent, and siblings may overlap, by this much before the import is refused.
 */
export const IMPORT_TOLERANCE_DEGREES = 1e-6;

/** Event published after divisions changed; every node rebuilds its locate index. */
export const DIVISIONS_CHANGED = 'org.divisions.changed';

/** A division as the API shows it. */
export interface Division {
  code: string;
  level: DivisionLevel;
  name: LocalizedText;
  parentCode: string | null;
  bbox: BBox;
  areaM2: number;
  boundary?: AreaGeometry;
  updatedAt: string;
}

const position = { type: 'array', items: { type: 'number' } } as const;
const ring = { type: 'array', items: position } as const;
/** A boundary as it was imported or written, foreign members (`bbox`…) kept. */
const boundarySchema = {
  anyOf: [
    {
      type: 'object',
      required: ['type', 'coordinates'],
      additionalProperties: true,
      properties: {
        type: { type: 'string', enum: ['Polygon'] },
        coordinates: { type: 'array', items: ring },
      },
    },
    {
      type: 'object',
      required: ['type', 'coordinates'],
      additionalProperties: true,
      properties: {
        type: { type: 'string', enum: ['MultiPolygon'] },
        coordinates: { type: 'array', items: { type: 'array', items: ring } },
      },
    },
  ],
} as const;

const divisionProperties = {
  code: { type: 'string' },
  level: divisionLevel,
  name: localizedText,
  parentCode: { type: ['string', 'null'] },
  bbox: {
    type: 'array',
    minItems: 4,
    maxItems: 4,
    items: { type: 'number' },
    description: '[minLon, minLat, maxLon, maxLat]',
  },
  areaM2: { type: 'integer' },
  boundary: boundarySchema,
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

/**
 * {@link Division}, the response schema of the division routes: the serialiser writes only
 * what it lists. `boundary` comes with one division, or with a list asked `boundary=true`.
 */
export const divisionSchema = {
  type: 'object',
  required: Object.keys(divisionProperties).filter((k) => k !== 'boundary'),
  properties: divisionProperties,
} as const;

/** What is needed to create or replace a division. */
export interface DivisionInput {
  code: string;
  name: LocalizedText;
  parentCode: string | null;
  boundary: AreaGeometry;
}

/** A row of `org_division`; the boundary only where it was selected. */
type DivisionRow = Omit<Selectable<OrgDivisionTable>, 'boundary' | 'created_at'> & { boundary?: unknown };

const SUMMARY_COLUMNS = [
  'code',
  'level',
  'parent_code',
  'name_zh',
  'name_en',
  'min_lon',
  'min_lat',
  'max_lon',
  'max_lat',
  'area_m2',
  'updated_at',
] as const;

function toDivision(r: DivisionRow): Division {
  return {
    code: r.code,
    level: r.level as DivisionLevel,
    name: { 'zh-CN': r.name_zh, en: r.name_en },
    parentCode: r.parent_code,
    bbox: [r.min_lon, r.min_lat, r.max_lon, r.max_lat],
    areaM2: Math.round(r.area_m2),
    ...(r.boundary ? { boundary: r.boundary as AreaGeometry } : {}),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export interface ListDivisionsQuery {
  level?: DivisionLevel;
  parent?: string;
  /** Codes starting with this prefix (a subtree). */
  within?: string;
  withBoundary?: boolean;
}

/** Divisions ordered by code, without boundaries unless asked. */
export async function listDivisions(
  db: Db,
  actor: Actor,
  query: ListDivisionsQuery = {},
): Promise<Division[]> {
  authorize(actor.principal, 'org.read');
  let q = db
    .selectFrom('org_division')
    .select([...SUMMARY_COLUMNS])
    .orderBy('code');
  if (query.withBoundary) q = q.select('boundary');
  if (query.level) q = q.where('level', '=', query.level);
  if (query.parent) q = q.where('parent_code', '=', query.parent);
  if (query.within) q = q.where('code', 'like', `${query.within.replace(/[^0-9]/g, '')}%`);
  return (await q.execute()).map((r) => toDivision(r));
}

/** One division with its boundary (`org.read`). */
export async function getDivision(db: Db, actor: Actor, code: string): Promise<Division> {
  authorize(actor.principal, 'org.read');
  return findDivision(db, code);
}

/**
 * One division, unchecked: what the writes (`org.write`) read and answer with, so that a
 * key scoped to `org.write` alone is not refused after its change was made.
 */
async function findDivision(db: Db, code: string): Promise<Division> {
  const row = await db.selectFrom('org_division').selectAll().where('code', '=', code).executeTakeFirst();
  if (!row)
    throw new NotFoundError(`Division ${code} not found.`, 'division.not_found', { divisionCode: code });
  return toDivision(row);
}

/** True when no division exists yet (an empty city). */
export async function hasNoDivisions(db: Db): Promise<boolean> {
  const row = await db.selectFrom('org_division').select('code').limit(1).executeTakeFirst();
  return !row;
}

/** A GeoJSON FeatureCollection as `onecity divisions export` writes and import reads. */
export interface DivisionFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    id?: string;
    properties: Record<string, unknown>;
    geometry: AreaGeometry;
  }>;
}

/** Every division as a GeoJSON FeatureCollection (ordered by code). */
export async function exportDivisions(db: Db, actor: Actor): Promise<DivisionFeatureCollection> {
  const divisions = await listDivisions(db, actor, { withBoundary: true });
  return {
    type: 'FeatureCollection',
    features: divisions.map((d) => ({
      type: 'Feature',
      id: d.code,
      properties: {
        code: d.code,
        level: d.level,
        parent: d.parentCode,
        name_zh: d.name['zh-CN'],
        name_en: d.name.en,
        area_m2: d.areaM2,
      },
      geometry: d.boundary!,
    })),
  };
}

/** One validation failure of an import, naming the feature. */
export interface DivisionProblem {
  featureIndex: number;
  divisionCode?: string;
  problem: string;
  reason: string;
}

function fail(problems: DivisionProblem[]): never {
  const first = problems[0];
  const where = `Feature ${first.featureIndex}${first.divisionCode ? ` (${first.divisionCode})` : ''}`;
  throw new InvalidInputError(
    `${where}: ${first.problem}.${problems.length > 1 ? ` ${problems.length - 1} more problem(s) in details.` : ''}`,
    {
      featureIndex: first.featureIndex,
      ...(first.divisionCode ? { divisionCode: first.divisionCode } : {}),
      problems,
    },
    first.reason,
  );
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * Reads a FeatureCollection into division inputs, checking its shape. Properties: `code`,
 * `parent` (optional, implied by the code), `level` (optional, implied by the code),
 * `name_zh` and `name_en` (or `name: { "zh-CN", en }`).
 */
export function parseDivisionCollection(value: unknown): DivisionInput[] {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidInputError('The file is not a GeoJSON object.', {}, 'division.invalid_geojson');
  const fc = value as { type?: unknown; features?: unknown };
  if (fc.type !== 'FeatureCollection' || !Array.isArray(fc.features))
    throw new InvalidInputError(
      'Expected a GeoJSON FeatureCollection with a "features" array.',
      {},
      'division.invalid_geojson',
    );
  const problems: DivisionProblem[] = [];
  const inputs: DivisionInput[] = [];
  fc.features.forEach((f: unknown, featureIndex: number) => {
    const feature = f as { type?: unknown; properties?: Record<string, unknown>; geometry?: unknown };
    if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') {
      problems.push({
        featureIndex,
        problem: 'is not a GeoJSON Feature',
        reason: 'division.invalid_geojson',
      });
      return;
    }
    const p = feature.properties ?? {};
    const code = typeof p.code === 'string' ? p.code : typeof p.code === 'number' ? String(p.code) : null;
    if (!code) {
      problems.push({ featureIndex, problem: 'has no "code" property', reason: 'division.invalid_geojson' });
      return;
    }
    const name = (p.name && typeof p.name === 'object' ? p.name : {}) as Record<string, unknown>;
    const zh = text(p.name_zh) ?? text(name['zh-CN']) ?? (typeof p.name === 'string' ? text(p.name) : null);
    const en = text(p.name_en) ?? text(name.en) ?? zh;
    if (!zh || !en) {
      problems.push({
        featureIndex,
        divisionCode: code,
        problem: 'has no name (name_zh and name_en)',
        reason: 'division.invalid_geojson',
      });
      return;
    }
    const geometryIssue = geometryProblem(feature.geometry);
    if (geometryIssue) {
      problems.push({
        featureIndex,
        divisionCode: code,
        problem: geometryIssue,
        reason: 'division.invalid_geometry',
      });
      return;
    }
    const parent = p.parent === undefined ? undefined : p.parent === null ? null : String(p.parent);
    if (p.level !== undefined && p.level !== levelOfCode(code)) {
      problems.push({
        featureIndex,
        divisionCode: code,
        problem: `level "${String(p.level)}" does not match the code's length (${code.length} digits is ${levelOfCode(code) ?? 'no level'})`,
        reason: 'division.bad_code',
      });
      return;
    }
    inputs.push({
      code,
      name: { 'zh-CN': zh, en },
      parentCode: parent === undefined ? parentCodeOf(code) : parent,
      boundary: feature.geometry as AreaGeometry,
    });
  });
  if (problems.length) fail(problems);
  return inputs;
}

interface StoredShape {
  code: string;
  parentCode: string | null;
  boundary: AreaGeometry;
}

async function loadShapes(db: Db): Promise<Map<string, StoredShape>> {
  const rows = await db.selectFrom('org_division').select(['code', 'parent_code', 'boundary']).execute();
  return new Map(
    rows.map((r) => [
      r.code,
      { code: r.code, parentCode: r.parent_code, boundary: r.boundary as AreaGeometry },
    ]),
  );
}

/**
 * Validates divisions against each other and against what is stored: code format and the
 * prefix rule, known parents, children inside parents and siblings not overlapping (both
 * within {@link IMPORT_TOLERANCE_DEGREES}). Throws InvalidInput naming the feature.
 */
export function validateDivisions(
  incoming: readonly DivisionInput[],
  stored: ReadonlyMap<string, StoredShape>,
) {
  const problems: DivisionProblem[] = [];
  const seen = new Map<string, number>();
  const merged = new Map<string, StoredShape>(stored);
  incoming.forEach((d, featureIndex) => {
    const add = (problem: string, reason: string) =>
      problems.push({ featureIndex, divisionCode: d.code, problem, reason });
    const level = levelOfCode(d.code);
    if (!level) {
      add(
        `code must be digits of length ${DIVISION_LEVELS.map((l) => `${CODE_LENGTH[l]} (${l})`).join(', ')}`,
        'division.bad_code',
      );
      return;
    }
    if (seen.has(d.code)) {
      add(`code is also used by feature ${seen.get(d.code)}`, 'division.duplicate_code');
      return;
    }
    seen.set(d.code, featureIndex);
    if (level === 'city') {
      if (d.parentCode) add('a city has no parent', 'division.bad_code');
    } else if (!d.parentCode) {
      add(`a ${level} needs a parent`, 'division.unknown_parent');
    } else if (d.parentCode !== parentCodeOf(d.code)) {
      add(
        `code must start with its parent's code ${d.parentCode} and be ${CODE_LENGTH[level]} digits (prefix rule)`,
        'division.bad_code',
      );
    }
    merged.set(d.code, { code: d.code, parentCode: d.parentCode, boundary: d.boundary });
  });
  if (problems.length) fail(problems);

  const children = new Map<string, StoredShape[]>();
  for (const d of merged.values()) {
    const key = d.parentCode ?? '';
    const list = children.get(key) ?? [];
    list.push(d);
    children.set(key, list);
  }
  const incomingIndex = new Map(incoming.map((d, i) => [d.code, i]));
  incoming.forEach((d, featureIndex) => {
    const add = (problem: string, reason: string) =>
      problems.push({ featureIndex, divisionCode: d.code, problem, reason });
    if (d.parentCode) {
      const parent = merged.get(d.parentCode);
      if (!parent) {
        add(`parent ${d.parentCode} is neither in the file nor stored`, 'division.unknown_parent');
        return;
      }
      if (!withinArea(d.boundary, parent.boundary, IMPORT_TOLERANCE_DEGREES))
        add(`boundary is not inside its parent ${d.parentCode}`, 'division.outside_parent');
    }
    // Stored children that the file does not replace must still fit the new boundary.
    for (const child of children.get(d.code) ?? [])
      if (!incomingIndex.has(child.code) && !withinArea(child.boundary, d.boundary, IMPORT_TOLERANCE_DEGREES))
        add(`boundary no longer contains its stored child ${child.code}`, 'division.outside_parent');
    for (const sibling of children.get(d.parentCode ?? '') ?? []) {
      if (sibling.code === d.code) continue;
      const other = incomingIndex.get(sibling.code);
      if (other !== undefined && other < featureIndex) continue; // the pair was checked once already
      if (interiorsOverlap(d.boundary, sibling.boundary, IMPORT_TOLERANCE_DEGREES))
        add(`boundary overlaps its sibling ${sibling.code}`, 'division.overlap');
    }
  });
  if (problems.length) fail(problems);
}

/** What an import changed. */
export interface ImportReport {
  created: number;
  updated: number;
  /** Divisions in the input identical to what is stored (not rewritten, not audited). */
  unchanged: number;
  total: number;
}

/**
 * Validates and writes divisions in one transaction (created or replaced by code), audits
 * each, ensures the district governments and street offices, and announces the change.
 */
export async function saveDivisions(
  db: Db,
  incoming: readonly DivisionInput[],
  actor: Actor,
  options: { onProgress?: (done: number) => void } = {},
): Promise<ImportReport> {
  authorize(actor.principal, 'org.write');
  for (const d of incoming) assertInJurisdiction(actor.principal, d.code, `Division ${d.code}`);
  return inTransaction(db, actor, async (trx, events) => {
    validateDivisions(incoming, await loadShapes(trx));
    const existing = new Map(
      incoming.length
        ? (
            await trx
              .selectFrom('org_division')
              .selectAll()
              .where(
                'code',
                'in',
                incoming.map((d) => d.code),
              )
              .execute()
          ).map((r) => [r.code, toDivision(r)])
        : [],
    );
    // Parents first, so a reader inside the transaction never sees an orphan.
    const ordered = [...incoming].sort((a, b) => a.code.length - b.code.length || (a.code < b.code ? -1 : 1));
    let created = 0;
    let unchanged = 0;
    let done = 0;
    for (const d of ordered) {
      const bbox = bboxOf(d.boundary);
      const row = {
        code: d.code,
        level: levelOfCode(d.code)!,
        parent_code: d.parentCode,
        name_zh: d.name['zh-CN'],
        name_en: d.name.en,
        boundary: JSON.stringify(d.boundary),
        min_lon: bbox[0],
        min_lat: bbox[1],
        max_lon: bbox[2],
        max_lat: bbox[3],
        area_m2: areaSquareMetres(d.boundary),
        updated_at: actor.now,
      };
      const before = existing.get(d.code);
      if (before && sameDivision(before, d)) {
        unchanged++;
        options.onProgress?.(++done);
        continue;
      }
      await trx
        .insertInto('org_division')
        .values({ ...row, created_at: actor.now })
        .onConflict((oc) => oc.column('code').doUpdateSet(row))
        .execute();
      if (!before) created++;
      await appendAudit(trx, {
        actor: actor.principal.id,
        action: before ? 'division.update' : 'division.create',
        objectType: 'division',
        objectId: d.code,
        requestId: actor.requestId,
        before,
        after: { ...row, boundary: d.boundary },
        at: actor.now,
      });
      options.onProgress?.(++done);
    }
    await ensureDivisionDepartments(trx, ordered, actor);
    events.push(orgEvents.create(DIVISIONS_CHANGED, { count: incoming.length }, actor.now));
    return { created, updated: incoming.length - created - unchanged, unchanged, total: incoming.length };
  });
}

function sameDivision(stored: Division, d: DivisionInput): boolean {
  return (
    stored.parentCode === d.parentCode &&
    stored.name['zh-CN'] === d.name['zh-CN'] &&
    stored.name.en === d.name.en &&
    stored.boundary?.type === d.boundary.type &&
    JSON.stringify(stored.boundary?.coordinates) === JSON.stringify(d.boundary.coordinates)
  );
}

/** Imports a GeoJSON FeatureCollection (see {@link parseDivisionCollection}). */
export async function importDivisions(
  db: Db,
  collection: unknown,
  actor: Actor,
  options: { onProgress?: (done: number) => void } = {},
): Promise<ImportReport> {
  authorize(actor.principal, 'org.write');
  return saveDivisions(db, parseDivisionCollection(collection), actor, options);
}

/** Creates one division; 409 when the code exists. */
export async function createDivision(db: Db, input: DivisionInput, actor: Actor): Promise<Division> {
  authorize(actor.principal, 'org.write');
  const exists = await db
    .selectFrom('org_division')
    .select('code')
    .where('code', '=', input.code)
    .executeTakeFirst();
  if (exists)
    throw new ConflictError(`Division ${input.code} already exists.`, 'division.exists', {
      code: input.code,
    });
  await saveDivisions(db, [checkedInput(input)], actor);
  return findDivision(db, input.code);
}

/** Changes the names and/or boundary of a division. */
export async function updateDivision(
  db: Db,
  code: string,
  patch: { name?: LocalizedText; boundary?: AreaGeometry },
  actor: Actor,
): Promise<Division> {
  authorize(actor.principal, 'org.write');
  const current = await findDivision(db, code);
  assertInJurisdiction(actor.principal, code, `Division ${code}`);
  await saveDivisions(
    db,
    [
      checkedInput({
        code,
        parentCode: current.parentCode,
        name: patch.name ?? current.name,
        boundary: patch.boundary ?? current.boundary!,
      }),
    ],
    actor,
  );
  return findDivision(db, code);
}

function checkedInput(input: DivisionInput): DivisionInput {
  const problem = geometryProblem(input.boundary);
  if (problem)
    throw new InvalidInputError(
      `boundary: ${problem}.`,
      { field: 'boundary', featureIndex: 0 },
      'division.invalid_geometry',
    );
  return input;
}

/** Deletes a division that has no children and is not used by grids or rules. */
export async function deleteDivision(db: Db, code: string, actor: Actor): Promise<void> {
  authorize(actor.principal, 'org.write');
  const current = await findDivision(db, code);
  assertInJurisdiction(actor.principal, code, `Division ${code}`);
  await inTransaction(db, actor, async (trx, events) => {
    const child = await trx
      .selectFrom('org_division')
      .select('code')
      .where('parent_code', '=', code)
      .executeTakeFirst();
    if (child)
      throw new ConflictError(
        `Division ${code} has children (e.g. ${child.code}); delete them first.`,
        'division.in_use',
        {
          divisionCode: code,
        },
      );
    const rule = await trx
      .selectFrom('org_responsibility_rule')
      .select('rule_id')
      .where('division_code', '=', code)
      .where('to_version', 'is', null)
      .executeTakeFirst();
    if (rule)
      throw new ConflictError(
        `Responsibility rule ${rule.rule_id} applies to division ${code}.`,
        'division.in_use',
        {
          divisionCode: code,
        },
      );
    await trx.deleteFrom('org_division').where('code', '=', code).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'division.delete',
      objectType: 'division',
      objectId: code,
      requestId: actor.requestId,
      before: current,
      at: actor.now,
    });
    events.push(orgEvents.create(DIVISIONS_CHANGED, { count: 1 }, actor.now));
  });
}
