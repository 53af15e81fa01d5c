/**
 * Responsibility grids (责任网格): sets of unit grids a grid worker patrols and answers for.
 * One unit grid belongs to at most one responsibility grid.
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
import { inTransaction } from './in-transaction.ts';
import type { Selectable } from 'kysely';
import type { OrgResponsibilityGridTable } from './org-tables.ts';

export interface ResponsibilityGrid {
  code: string;
  name: LocalizedText;
  /** The division (usually a community) the responsibility grid lies in. */
  divisionCode: string;
  /** Unit grid codes it covers. */
  gridCodes: string[];
  /** User ids of the grid workers responsible. */
  workerIds: string[];
  updatedAt: string;
}

export interface ResponsibilityGridInput {
  code: string;
  name: LocalizedText;
  divisionCode: string;
  gridCodes: string[];
  workerIds?: string[];
}

/** A row of `org_responsibility_grid`. */
type Row = Selectable<OrgResponsibilityGridTable>;

const toGrid = (r: Row): ResponsibilityGrid => ({
  code: r.code,
  name: { 'zh-CN': r.name_zh, en: r.name_en },
  divisionCode: r.division_code,
  gridCodes: (r.grid_codes as string[]) ?? [],
  workerIds: (r.worker_ids as string[]) ?? [],
  updatedAt: new Date(r.updated_at).toISOString(),
});

const toRow = (g: ResponsibilityGridInput, now: Date) => ({
  code: g.code,
  name_zh: g.name['zh-CN'],
  name_en: g.name.en,
  division_code: g.divisionCode,
  grid_codes: JSON.stringify(g.gridCodes),
  worker_ids: JSON.stringify(g.workerIds ?? []),
  updated_at: now,
});

export async function listResponsibilityGrids(
  db: Db,
  actor: Actor,
  query: { within?: string; worker?: string } = {},
): Promise<ResponsibilityGrid[]> {
  authorize(actor.principal, 'org.read');
  let q = db.selectFrom('org_responsibility_grid').selectAll().orderBy('code');
  if (query.within) q = q.where('division_code', 'like', `${query.within.replace(/[^0-9]/g, '')}%`);
  const grids = (await q.execute()).map((r) => toGrid(r));
  return query.worker ? grids.filter((g) => g.workerIds.includes(query.worker!)) : grids;
}

async function find(db: Db, code: string) {
  const row = await db
    .selectFrom('org_responsibility_grid')
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst();
  return row ? toGrid(row) : null;
}

export async function getResponsibilityGrid(db: Db, actor: Actor, code: string): Promise<ResponsibilityGrid> {
  authorize(actor.principal, 'org.read');
  const g = await find(db, code);
  if (!g) throw new NotFoundError(`Responsibility grid ${code} not found.`, 'responsibility_grid.not_found');
  return g;
}

async function check(trx: Db, g: ResponsibilityGridInput) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(g.code))
    throw new InvalidInputError('code must be 2–64 letters, digits, dots, dashes or underscores.', {
      field: 'code',
    });
  if (!g.gridCodes.length)
    throw new InvalidInputError('gridCodes must name at least one unit grid.', { field: 'gridCodes' });
  const codes = [g.divisionCode, ...g.gridCodes];
  const found = new Map(
    (await trx.selectFrom('org_division').select(['code', 'level']).where('code', 'in', codes).execute()).map(
      (r) => [r.code, r.level],
    ),
  );
  if (!found.has(g.divisionCode))
    throw new InvalidInputError(
      `divisionCode: ${g.divisionCode} is not a division.`,
      { field: 'divisionCode' },
      'division.unknown',
    );
  for (const code of g.gridCodes) {
    if (found.get(code) !== 'grid')
      throw new InvalidInputError(
        `gridCodes: ${code} is not a unit grid.`,
        { field: 'gridCodes', gridCode: code },
        'division.unknown',
      );
    if (!code.startsWith(g.divisionCode))
      throw new InvalidInputError(`gridCodes: ${code} lies outside division ${g.divisionCode}.`, {
        field: 'gridCodes',
        gridCode: code,
      });
  }
  // One unit grid, one responsibility grid: otherwise "who answers for this place" is ambiguous.
  const others = await trx
    .selectFrom('org_responsibility_grid')
    .select(['code', 'grid_codes'])
    .where('code', '!=', g.code)
    .where('division_code', 'like', `${g.divisionCode.slice(0, 4)}%`)
    .execute();
  for (const o of others) {
    const taken = (o.grid_codes as string[]).find((c) => g.gridCodes.includes(c));
    if (taken)
      throw new ConflictError(
        `Unit grid ${taken} already belongs to responsibility grid ${o.code}.`,
        'responsibility_grid.overlap',
        {
          gridCode: taken,
        },
      );
  }
}

/** Creates or replaces responsibility grids, auditing each. */
export async function saveResponsibilityGrids(
  db: Db,
  inputs: readonly ResponsibilityGridInput[],
  actor: Actor,
): Promise<ResponsibilityGrid[]> {
  authorize(actor.principal, 'org.write');
  for (const g of inputs) assertInJurisdiction(actor.principal, g.divisionCode, `Division ${g.divisionCode}`);
  return inTransaction(db, actor, async (trx) => {
    const out: ResponsibilityGrid[] = [];
    for (const g of inputs) {
      await check(trx, g);
      const before = await find(trx, g.code);
      if (before) assertInJurisdiction(actor.principal, before.divisionCode, `Responsibility grid ${g.code}`);
      const row = toRow(g, actor.now);
      await trx
        .insertInto('org_responsibility_grid')
        .values(row)
        .onConflict((oc) => oc.column('code').doUpdateSet(row))
        .execute();
      const after = (await find(trx, g.code))!;
      await appendAudit(trx, {
        actor: actor.principal.id,
        action: before ? 'responsibility_grid.update' : 'responsibility_grid.create',
        objectType: 'responsibility_grid',
        objectId: g.code,
        requestId: actor.requestId,
        before: before ?? undefined,
        after,
        at: actor.now,
      });
      out.push(after);
    }
    return out;
  });
}

export async function deleteResponsibilityGrid(db: Db, code: string, actor: Actor): Promise<void> {
  authorize(actor.principal, 'org.write');
  await inTransaction(db, actor, async (trx) => {
    const before = await find(trx, code);
    if (!before)
      throw new NotFoundError(`Responsibility grid ${code} not found.`, 'responsibility_grid.not_found');
    assertInJurisdiction(actor.principal, before.divisionCode, `Responsibility grid ${code}`);
    await trx.deleteFrom('org_responsibility_grid').where('code', '=', code).execute();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'responsibility_grid.delete',
      objectType: 'responsibility_grid',
      objectId: code,
      requestId: actor.requestId,
      before,
      at: actor.now,
    });
  });
}
