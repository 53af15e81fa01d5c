/**
 * Point lookup: which grid, community, street, district and city hold a coordinate. The
 * index lives in memory, one per app (its org capability's instance), and is rebuilt from
 * the database when divisions change (the `org.divisions.changed` event, also from other
 * nodes).
 */
import { type Db, InvalidInputError, NotFoundError } from '../kernel/index.ts';
import { DivisionIndex, type IndexedDivision, type LocatedChain } from './division-index.ts';
import type { DivisionLevel } from './division-levels.ts';
import type { AreaGeometry } from './geometry.ts';

/** Reads every division of a database into a fresh index. */
export async function loadDivisionIndex(db: Db): Promise<DivisionIndex> {
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
  return new DivisionIndex(divisions);
}

/**
 * One app's point lookup (the org capability's instance owns it): the index of its
 * database, empty until loaded, swapped whole on reload. Boundary rule: docs/divisions.md.
 */
export class DivisionLocator {
  #index = new DivisionIndex([]);

  constructor(private readonly db: Db) {}

  /** The current index. */
  get index(): DivisionIndex {
    return this.#index;
  }

  /** Reads every division and swaps in a fresh index. */
  async reload(): Promise<DivisionIndex> {
    this.#index = await loadDivisionIndex(this.db);
    return this.#index;
  }

  /** The divisions holding a point, or null outside the city (or before a city is loaded). */
  locate(lat: number, lon: number): LocatedChain | null {
    return this.#index.locate(lat, lon);
  }

  /** The chain for a point in the city; NotFound `division.outside_city` when outside. */
  locateInCity(lat: number, lon: number): LocatedChain {
    assertCoordinates(lat, lon);
    const chain = this.#index.locate(lat, lon);
    if (!chain)
      throw new NotFoundError(`The point (${lat}, ${lon}) lies outside the city.`, 'division.outside_city', {
        lat,
        lon,
      });
    return chain;
  }
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
