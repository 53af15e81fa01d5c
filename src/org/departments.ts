/**
 * Departments (bureaus, district governments, street offices, utilities, enterprises,
 * centers) in a hierarchy with the divisions they serve, and their posts. The enabled
 * plates declare their departments; the organization adds its own core ones.
 */
import { appendAudit } from '../audit/index.ts';
import { type Actor, authorize, ROLES, type Role } from '../identity/index.ts';
import {
  ConflictError,
  type Db,
  DEPARTMENT_KINDS,
  type DepartmentKind,
  InvalidInputError,
  type LocalizedText,
  type ModuleRegistry,
  NotFoundError,
} from '../kernel/index.ts';
import type { DivisionLevel } from './division-levels.ts';
import { inTransaction } from './in-transaction.ts';
import type { Selectable } from 'kysely';
import type { OrgDepartmentTable, OrgPostTable } from './org-tables.ts';

/** The supervision track's center (监督中心): files, verifies, closes. */
export const SUPERVISION_CENTER = 'supervision-center';
/** The command track's center (指挥中心): dispatches, supervises, escalates. */
export const COMMAND_CENTER = 'command-center';
/** Department codes the organization always provides, whatever plates are enabled. */
export const CORE_DEPARTMENT_CODES: readonly string[] = [SUPERVISION_CENTER, COMMAND_CENTER];

/** Code of the government of a district (`district-gov-330102`). */
export const districtGovernmentCode = (districtCode: string) => `district-gov-${districtCode}`;
/** Code of the office of a street (`street-office-330102001`). */
export const streetOfficeCode = (streetCode: string) => `street-office-${streetCode}`;

/** A department as the API shows it. */
export interface Department {
  code: string;
  name: LocalizedText;
  kind: DepartmentKind;
  parentCode: string | null;
  /** Divisions served (each covers its subtree); empty means the whole city. */
  divisionCodes: string[];
  /** `core`, `admin`, or the plate that declared it. */
  source: string;
  updatedAt: string;
}

export interface DepartmentInput {
  code: string;
  name: LocalizedText;
  kind: DepartmentKind;
  parentCode?: string | null;
  divisionCodes?: string[];
}

/** A row of `org_department`. */
type DepartmentRow = Selectable<OrgDepartmentTable>;

const toDepartment = (r: DepartmentRow): Department => ({
  code: r.code,
  name: { 'zh-CN': r.name_zh, en: r.name_en },
  kind: r.kind as DepartmentKind,
  parentCode: r.parent_code,
  divisionCodes: (r.division_codes as string[]) ?? [],
  source: r.source,
  updatedAt: new Date(r.updated_at).toISOString(),
});

const CORE_CENTERS: DepartmentInput[] = [
  {
    code: SUPERVISION_CENTER,
    name: { 'zh-CN': '城市运行监督中心', en: 'City Supervision Center' },
    kind: 'center',
  },
  { code: COMMAND_CENTER, name: { 'zh-CN': '城市运行指挥中心', en: 'City Command Center' }, kind: 'center' },
];

/** Inserts the departments that do not exist yet (by code), auditing each; returns how many. */
async function insertMissing(
  trx: Db,
  inputs: readonly (DepartmentInput & { source: string })[],
  actor: Actor,
) {
  if (!inputs.length) return 0;
  const existing = new Set(
    (
      await trx
        .selectFrom('org_department')
        .select('code')
        .where(
          'code',
          'in',
          inputs.map((d) => d.code),
        )
        .execute()
    ).map((r) => r.code),
  );
  let created = 0;
  for (const d of inputs) {
    if (existing.has(d.code)) continue;
    existing.add(d.code);
    const row = departmentRow(d, d.source, actor.now);
    await trx.insertInto('org_department').values(row).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'department.create',
      objectType: 'department',
      objectId: d.code,
      requestId: actor.requestId,
      after: row,
      at: actor.now,
    });
    created++;
  }
  return created;
}

function departmentRow(d: DepartmentInput, source: string, now: Date) {
  return {
    code: d.code,
    name_zh: d.name['zh-CN'],
    name_en: d.name.en,
    kind: d.kind,
    parent_code: d.parentCode ?? null,
    division_codes: JSON.stringify(d.divisionCodes ?? []),
    source,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Ensures the core centers and every enabled plate's departments exist.
 * Safe to call at every start: only missing departments are created.
 */
export async function ensurePlateDepartments(db: Db, modules: ModuleRegistry, actor: Actor): Promise<number> {
  const inputs: Array<DepartmentInput & { source: string }> = CORE_CENTERS.map((d) => ({
    ...d,
    source: 'core',
  }));
  for (const m of modules.modules)
    for (const d of m.departments ?? [])
      inputs.push({ code: d.code, name: d.name, kind: d.kind, parentCode: d.parent ?? null, source: m.id });
  return inTransaction(db, actor, (trx) => insertMissing(trx, inputs, actor));
}

/** Ensures a district government per district and a street office per street among `divisions`. */
export async function ensureDivisionDepartments(
  trx: Db,
  divisions: ReadonlyArray<{ code: string; name: LocalizedText; parentCode: string | null }>,
  actor: Actor,
): Promise<number> {
  const level = (code: string): DivisionLevel | null =>
    code.length === 6 ? 'district' : code.length === 9 ? 'street' : null;
  const inputs: Array<DepartmentInput & { source: string }> = [];
  for (const d of divisions) {
    if (level(d.code) === 'district')
      inputs.push({
        code: districtGovernmentCode(d.code),
        name: { 'zh-CN': `${d.name['zh-CN']}人民政府`, en: `${d.name.en} Government` },
        kind: 'district_government',
        divisionCodes: [d.code],
        source: 'core',
      });
  }
  for (const d of divisions) {
    if (level(d.code) === 'street')
      inputs.push({
        code: streetOfficeCode(d.code),
        name: { 'zh-CN': `${d.name['zh-CN']}办事处`, en: `${d.name.en} Office` },
        kind: 'street_office',
        parentCode: districtGovernmentCode(d.code.slice(0, 6)),
        divisionCodes: [d.code],
        source: 'core',
      });
  }
  return insertMissing(trx, inputs, actor);
}

/** Departments ordered by code. */
export async function listDepartments(
  db: Db,
  actor: Actor,
  query: { kind?: DepartmentKind; parent?: string } = {},
): Promise<Department[]> {
  authorize(actor.principal, 'org.read');
  let q = db.selectFrom('org_department').selectAll().orderBy('code');
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.parent) q = q.where('parent_code', '=', query.parent);
  return (await q.execute()).map((r) => toDepartment(r));
}

async function findDepartment(db: Db, code: string): Promise<Department | null> {
  const row = await db.selectFrom('org_department').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? toDepartment(row) : null;
}

export async function getDepartment(db: Db, actor: Actor, code: string): Promise<Department> {
  authorize(actor.principal, 'org.read');
  const d = await findDepartment(db, code);
  if (!d)
    throw new NotFoundError(`Department ${code} not found.`, 'department.not_found', {
      departmentCode: code,
    });
  return d;
}

/** Throws InvalidInput naming the first code that is not a department. */
export async function assertDepartmentsExist(db: Db, codes: readonly string[], field: string): Promise<void> {
  if (!codes.length) return;
  const found = new Set(
    (
      await db
        .selectFrom('org_department')
        .select('code')
        .where('code', 'in', [...codes])
        .execute()
    ).map((r) => r.code),
  );
  const missing = codes.find((c) => !found.has(c));
  if (missing)
    throw new InvalidInputError(
      `${field}: "${missing}" is not a department.`,
      { field, departmentCode: missing },
      'department.unknown',
    );
}

async function checkDepartmentInput(db: Db, input: DepartmentInput) {
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(input.code))
    throw new InvalidInputError('code must be 2–64 lowercase letters, digits, dots, dashes or underscores.', {
      field: 'code',
    });
  if (!(DEPARTMENT_KINDS as readonly string[]).includes(input.kind))
    throw new InvalidInputError(`kind must be one of ${DEPARTMENT_KINDS.join(', ')}.`, { field: 'kind' });
  if (input.parentCode) {
    if (input.parentCode === input.code)
      throw new InvalidInputError('A department cannot be its own parent.', { field: 'parentCode' });
    await assertDepartmentsExist(db, [input.parentCode], 'parentCode');
  }
  for (const code of input.divisionCodes ?? []) {
    const d = await db.selectFrom('org_division').select('code').where('code', '=', code).executeTakeFirst();
    if (!d)
      throw new InvalidInputError(
        `divisionCodes: ${code} is not a division.`,
        { field: 'divisionCodes', divisionCode: code },
        'division.unknown',
      );
  }
}

export async function createDepartment(db: Db, input: DepartmentInput, actor: Actor): Promise<Department> {
  authorize(actor.principal, 'org.write');
  return inTransaction(db, actor, async (trx) => {
    if (await findDepartment(trx, input.code))
      throw new ConflictError(`Department ${input.code} already exists.`, 'department.exists', {
        code: input.code,
      });
    await checkDepartmentInput(trx, input);
    const row = departmentRow(input, 'admin', actor.now);
    await trx.insertInto('org_department').values(row).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'department.create',
      objectType: 'department',
      objectId: input.code,
      requestId: actor.requestId,
      after: row,
      at: actor.now,
    });
    return (await findDepartment(trx, input.code))!;
  });
}

export async function updateDepartment(
  db: Db,
  code: string,
  patch: Partial<Omit<DepartmentInput, 'code'>>,
  actor: Actor,
): Promise<Department> {
  authorize(actor.principal, 'org.write');
  return inTransaction(db, actor, async (trx) => {
    const before = await findDepartment(trx, code);
    if (!before)
      throw new NotFoundError(`Department ${code} not found.`, 'department.not_found', {
        departmentCode: code,
      });
    const next: DepartmentInput = {
      code,
      name: patch.name ?? before.name,
      kind: patch.kind ?? before.kind,
      parentCode: patch.parentCode === undefined ? before.parentCode : patch.parentCode,
      divisionCodes: patch.divisionCodes ?? before.divisionCodes,
    };
    await checkDepartmentInput(trx, next);
    // Refuse cycles: walking up from the new parent must not reach this department.
    for (let p = next.parentCode ?? null, hops = 0; p && hops < 64; hops++) {
      if (p === code) throw new InvalidInputError('parentCode would make a cycle.', { field: 'parentCode' });
      p = (await findDepartment(trx, p))?.parentCode ?? null;
    }
    const { created_at: _c, source: _s, ...row } = departmentRow(next, before.source, actor.now);
    await trx.updateTable('org_department').set(row).where('code', '=', code).execute();
    const after = (await findDepartment(trx, code))!;
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'department.update',
      objectType: 'department',
      objectId: code,
      requestId: actor.requestId,
      before,
      after,
      at: actor.now,
    });
    return after;
  });
}

/** Deletes a department without sub-departments, posts or current responsibility rules. */
export async function deleteDepartment(db: Db, code: string, actor: Actor): Promise<void> {
  authorize(actor.principal, 'org.write');
  await inTransaction(db, actor, async (trx) => {
    const before = await findDepartment(trx, code);
    if (!before)
      throw new NotFoundError(`Department ${code} not found.`, 'department.not_found', {
        departmentCode: code,
      });
    const child = await trx
      .selectFrom('org_department')
      .select('code')
      .where('parent_code', '=', code)
      .executeTakeFirst();
    const post = await trx
      .selectFrom('org_post')
      .select('code')
      .where('department_code', '=', code)
      .executeTakeFirst();
    const rules = await trx
      .selectFrom('org_responsibility_rule')
      .select(['rule_id', 'lead', 'assist'])
      .where('to_version', 'is', null)
      .execute();
    const rule = rules.find((r) => r.lead === code || (r.assist as string[]).includes(code));
    const blocker = child
      ? `sub-department ${child.code}`
      : post
        ? `post ${post.code}`
        : rule
          ? `responsibility rule ${rule.rule_id}`
          : null;
    if (blocker)
      throw new ConflictError(`Department ${code} is still used by ${blocker}.`, 'department.in_use', {
        departmentCode: code,
      });
    await trx.deleteFrom('org_department').where('code', '=', code).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'department.delete',
      objectType: 'department',
      objectId: code,
      requestId: actor.requestId,
      before,
      at: actor.now,
    });
  });
}

/** A post (岗位) in a department, held by users. */
export interface Post {
  code: string;
  departmentCode: string;
  name: LocalizedText;
  /** The role a holder acts in, when the post implies one. */
  role: Role | null;
  holderIds: string[];
  updatedAt: string;
}

export interface PostInput {
  code: string;
  departmentCode: string;
  name: LocalizedText;
  role?: Role | null;
  holderIds?: string[];
}

/** A row of `org_post`. */
type PostRow = Selectable<OrgPostTable>;

const toPost = (r: PostRow): Post => ({
  code: r.code,
  departmentCode: r.department_code,
  name: { 'zh-CN': r.name_zh, en: r.name_en },
  role: r.role as Role | null,
  holderIds: (r.holder_ids as string[]) ?? [],
  updatedAt: new Date(r.updated_at).toISOString(),
});

const postRow = (p: PostInput, now: Date) => ({
  code: p.code,
  department_code: p.departmentCode,
  name_zh: p.name['zh-CN'],
  name_en: p.name.en,
  role: p.role ?? null,
  holder_ids: JSON.stringify(p.holderIds ?? []),
  updated_at: now,
});

export async function listPosts(db: Db, actor: Actor, query: { department?: string } = {}): Promise<Post[]> {
  authorize(actor.principal, 'org.read');
  let q = db.selectFrom('org_post').selectAll().orderBy('code');
  if (query.department) q = q.where('department_code', '=', query.department);
  return (await q.execute()).map((r) => toPost(r));
}

async function findPost(db: Db, code: string) {
  const row = await db.selectFrom('org_post').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? toPost(row) : null;
}

export async function getPost(db: Db, actor: Actor, code: string): Promise<Post> {
  authorize(actor.principal, 'org.read');
  const p = await findPost(db, code);
  if (!p) throw new NotFoundError(`Post ${code} not found.`, 'post.not_found', { postCode: code });
  return p;
}

async function checkPostInput(db: Db, p: PostInput) {
  if (!/^[a-z0-9][a-z0-9._-]{1,95}$/.test(p.code))
    throw new InvalidInputError('code must be 2–96 lowercase letters, digits, dots, dashes or underscores.', {
      field: 'code',
    });
  if (p.role && !(ROLES as readonly string[]).includes(p.role))
    throw new InvalidInputError(`role must be one of ${ROLES.join(', ')}.`, { field: 'role' });
  await assertDepartmentsExist(db, [p.departmentCode], 'departmentCode');
}

/** Creates posts (auditing each); used by the API and the demo seed. */
export async function createPost(db: Db, input: PostInput, actor: Actor): Promise<Post> {
  authorize(actor.principal, 'org.write');
  return inTransaction(db, actor, async (trx) => {
    if (await findPost(trx, input.code))
      throw new ConflictError(`Post ${input.code} already exists.`, 'post.exists', { postCode: input.code });
    await checkPostInput(trx, input);
    const row = postRow(input, actor.now);
    await trx.insertInto('org_post').values(row).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'post.create',
      objectType: 'post',
      objectId: input.code,
      requestId: actor.requestId,
      after: row,
      at: actor.now,
    });
    return (await findPost(trx, input.code))!;
  });
}

export async function updatePost(
  db: Db,
  code: string,
  patch: Partial<Omit<PostInput, 'code'>>,
  actor: Actor,
): Promise<Post> {
  authorize(actor.principal, 'org.write');
  return inTransaction(db, actor, async (trx) => {
    const before = await findPost(trx, code);
    if (!before) throw new NotFoundError(`Post ${code} not found.`, 'post.not_found', { postCode: code });
    const next: PostInput = {
      code,
      departmentCode: patch.departmentCode ?? before.departmentCode,
      name: patch.name ?? before.name,
      role: patch.role === undefined ? before.role : patch.role,
      holderIds: patch.holderIds ?? before.holderIds,
    };
    await checkPostInput(trx, next);
    await trx.updateTable('org_post').set(postRow(next, actor.now)).where('code', '=', code).execute();
    const after = (await findPost(trx, code))!;
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'post.update',
      objectType: 'post',
      objectId: code,
      requestId: actor.requestId,
      before,
      after,
      at: actor.now,
    });
    return after;
  });
}

export async function deletePost(db: Db, code: string, actor: Actor): Promise<void> {
  authorize(actor.principal, 'org.write');
  await inTransaction(db, actor, async (trx) => {
    const before = await findPost(trx, code);
    if (!before) throw new NotFoundError(`Post ${code} not found.`, 'post.not_found', { postCode: code });
    await trx.deleteFrom('org_post').where('code', '=', code).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'post.delete',
      objectType: 'post',
      objectId: code,
      requestId: actor.requestId,
      before,
      at: actor.now,
    });
  });
}
