/**
 * The gazetteer: places a report that came with an address instead of coordinates
 * (Open311 `address_id` / `address_string`). The city's own divisions are its only
 * address book: an address id is a division code; an address string is matched against
 * division names (zh-CN and en), the deepest named division winning. The point placed is
 * inside that division, so locating it gives the same division back. A street-level
 * geocoder (house numbers) is not part of the platform.
 */
import type { Db } from '../kernel/index.ts';
import type { DivisionLevel } from './division-levels.ts';
import type { DivisionIndex } from './division-index.ts';

/** Where an address was placed. */
export interface PlacedAddress {
  lat: number;
  lon: number;
  divisionCode: string;
  level: DivisionLevel;
  /** The division name that matched (address strings) or the code (address ids). */
  matched: string;
}

const DEPTH: Record<string, number> = { city: 0, district: 1, street: 2, community: 3, grid: 4 };

interface Row {
  code: string;
  level: string;
  name_zh: string;
  name_en: string;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
}

const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/** A point inside the division: its bbox centre when that lies in it, else the first of a sampled grid. */
function interiorPoint(index: DivisionIndex, row: Row): { lat: number; lon: number } | null {
  const holds = (lat: number, lon: number) => {
    const chain = index.locate(lat, lon);
    return !!chain && Object.values(chain).some((d) => d?.code === row.code);
  };
  const steps = 12;
  const candidates: Array<[number, number]> = [
    [(row.min_lat + row.max_lat) / 2, (row.min_lon + row.max_lon) / 2],
  ];
  for (let i = 1; i < steps; i++)
    for (let j = 1; j < steps; j++)
      candidates.push([
        row.min_lat + ((row.max_lat - row.min_lat) * i) / steps,
        row.min_lon + ((row.max_lon - row.min_lon) * j) / steps,
      ]);
  for (const [lat, lon] of candidates) if (holds(lat, lon)) return { lat, lon };
  return null;
}

const COLUMNS = ['code', 'level', 'name_zh', 'name_en', 'min_lon', 'min_lat', 'max_lon', 'max_lat'] as const;

/**
 * Places an address id (a division code) or an address string (containing division names).
 * Returns null when nothing in the city matches.
 */
export async function placeAddress(
  db: Db,
  /** The app's division index (org's `ORG` services). */
  index: DivisionIndex,
  address: { addressId?: string; addressString?: string },
): Promise<PlacedAddress | null> {
  if (address.addressId) {
    const row = await db
      .selectFrom('org_division')
      .select(COLUMNS)
      .where('code', '=', address.addressId.trim())
      .executeTakeFirst();
    if (row) {
      const p = interiorPoint(index, row);
      if (p) return { ...p, divisionCode: row.code, level: row.level as DivisionLevel, matched: row.code };
    }
    if (!address.addressString) return null;
  }
  const text = address.addressString ? normalize(address.addressString) : '';
  if (!text) return null;
  const rows = await db.selectFrom('org_division').select(COLUMNS).execute();
  let best: { row: Row; name: string } | null = null;
  for (const row of rows) {
    for (const name of [row.name_zh, row.name_en]) {
      const n = normalize(name);
      if (n.length < 2 || !text.includes(n)) continue;
      const better =
        !best ||
        DEPTH[row.level] > DEPTH[best.row.level] ||
        (DEPTH[row.level] === DEPTH[best.row.level] && n.length > best.name.length);
      if (better) best = { row, name: n };
    }
  }
  if (!best) return null;
  const p = interiorPoint(index, best.row);
  return p
    ? { ...p, divisionCode: best.row.code, level: best.row.level as DivisionLevel, matched: best.name }
    : null;
}
