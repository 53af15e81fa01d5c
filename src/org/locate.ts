/**
 * Point lookup: which grid, community, street, district and city hold a coordinate. The
 * index lives in process memory, one per database, and is rebuilt from the database when
 * divisions change (the `org.divisions.changed` event, also from other nodes).
 */
import { type Db, InvalidInputError, NotFoundError } from '../kernel/index.ts';
import { DivisionIndex, type IndexedDivision, type LocatedChain } from './division-index.ts';
import type { DivisionLevel } from './division-levels.ts';
import type { AreaGeometry } from './geometry.ts';

const indexes = new WeakMap<Db, DivisionIndex>();
let active = new DivisionIndex([]);

/** Reads every division and swaps in a fresh index for this database. */
export async function reloadDivisionIndex(db: Db): Promise<DivisionIndex> {
  const rows = await db
    .selectFrom('org_division')
    .select(['code', 'level', 'parent_code', 'name_zh', 'name_en', 'boundary'])
    .execute();
  const divisions: IndexedDivision[] = rows.map((r) => ({
    code: r.code,
    level: r.level as DivisionLevel,
    parentCode: r.parent_code,
    name: { 'zh-CN': r.name_zh, en: r.name_en },
    boundary: r.boundary as AreaGeometry,
  }));
  const index = new DivisionIndex(divisions);
  indexes.set(db, index);
  active = index;
  return index;
}

/** The index of a database (empty until loaded). */
export function divisionIndexOf(db: Db): DivisionIndex {
  return indexes.get(db) ?? active;
}

/**
 * The divisions holding a point, from the most recently loaded index of this process, or
 * null outside the city. Boundary rule: docs/divisions.md.
 */
export function locatePoint(lat: number, lon: number): LocatedChain | null {
  return active.locate(lat, lon);
}

/** Checks a coordinate pair; throws InvalidInput naming the bad field. */
export function assertCoordinates(lat: unknown, lon: unknown): asserts lat is number {
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    throw new InvalidInputError(
      'lat must be a number from -90 to 90.',
      { field: 'lat' },
      'invalid_coordinates',
    );
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180)
    throw new InvalidInputError(
      'lon must be a number from -180 to 180.',
      { field: 'lon' },
      'invalid_coordinates',
    );
}

/** The chain for a point in this database's city; NotFound `division.outside_city` when outside. */
export function locateInCity(db: Db, lat: number, lon: number): LocatedChain {
  assertCoordinates(lat, lon);
  const chain = divisionIndexOf(db).locate(lat, lon);
  if (!chain)
    throw new NotFoundError(`The point (${lat}, ${lon}) lies outside the city.`, 'division.outside_city', {
      lat,
      lon,
    });
  return chain;
}
