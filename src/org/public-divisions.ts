/**
 * Division outlines for the public (citizen portal, public board): code, level, parent,
 * names and a boundary — nothing else (no departments, no people, no areas). Boundaries
 * are lightly simplified: coordinates rounded to 1e-5° (about 1 m) and repeated points
 * dropped, which keeps outlines exact at street scale and shrinks the answer.
 *
 * The answer is built once per level and kept until the divisions change (the change event,
 * or a different count or latest change time); its ETag is a hash of the bytes, so browsers
 * and proxies revalidate cheaply (304).
 */
import { createHash } from 'node:crypto';
import type { Db } from '../kernel/index.ts';
import type { DivisionLevel } from './division-levels.ts';
import type { AreaGeometry, Position, Ring } from './geometry.ts';
import { polygonsOf } from './geometry.ts';

/** The public answer, ready to send. */
export interface PublicDivisions {
  /** GeoJSON FeatureCollection, serialized. */
  body: string;
  /** Strong ETag (quoted). */
  etag: string;
}

const round = (v: number) => Math.round(v * 1e5) / 1e5;

/** A ring with rounded coordinates and without repeated points; the original when too few remain. */
function simplifyRing(ring: Ring): Ring {
  const out: Position[] = [];
  for (const [x, y] of ring) {
    const p: Position = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : ring;
}

/** The boundary with every ring simplified. */
export function simplifyBoundary(g: AreaGeometry): AreaGeometry {
  const polygons = polygonsOf(g).map((rings) => rings.map(simplifyRing));
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: polygons[0] }
    : { type: 'MultiPolygon', coordinates: polygons };
}

interface Cached extends PublicDivisions {
  fingerprint: string;
}

/**
 * One app's public outlines, built once per level (the org capability's instance owns it).
 * A cheap fingerprint (the change events seen, plus the count and latest change time)
 * decides whether a cached answer still holds.
 */
export class PublicDivisionsCache {
  readonly #byLevel = new Map<string, Cached>();
  #generation = 0;

  constructor(private readonly db: Db) {}

  /** Drops every cached answer (on `org.divisions.changed`, which reaches every node). */
  forget(): void {
    this.#generation++;
  }

  /** Division outlines of one level (or every level) as public GeoJSON. */
  async get(level?: DivisionLevel): Promise<PublicDivisions> {
    const { db } = this;
    const key = level ?? '*';
    let stamp = db
      .selectFrom('org_division')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('updated_at').as('latest')]);
    if (level) stamp = stamp.where('level', '=', level);
    const s = await stamp.executeTakeFirstOrThrow();
    const fingerprint = `${this.#generation}:${s.n}:${s.latest ? new Date(s.latest as Date).toISOString() : ''}`;
    const cached = this.#byLevel.get(key);
    if (cached?.fingerprint === fingerprint) return cached;
    let q = db
      .selectFrom('org_division')
      .select(['code', 'level', 'parent_code', 'name_zh', 'name_en', 'boundary'])
      .orderBy('code');
    if (level) q = q.where('level', '=', level);
    const rows = await q.execute();
    const body = JSON.stringify({
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.code,
        properties: {
          code: r.code,
          level: r.level,
          parent: r.parent_code,
          name_zh: r.name_zh,
          name_en: r.name_en,
        },
        geometry: simplifyBoundary(r.boundary as AreaGeometry),
      })),
    });
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    const fresh = { body, etag, fingerprint };
    this.#byLevel.set(key, fresh);
    return fresh;
  }
}

/** Whether an `If-None-Match` header matches the ETag (weak comparison, `*` included). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}
