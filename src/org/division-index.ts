/**
 * The in-process point → division index behind `locatePoint`. A uniform grid of buckets
 * over the city's bounding box; each bucket lists the divisions whose bounding box meets
 * it, deepest level first and then by code, so the first polygon that holds the point is
 * the answer the boundary rule (docs/divisions.md) asks for. Rebuilt whole whenever
 * divisions change: a city has thousands of divisions, a rebuild takes milliseconds.
 */
import type { LocalizedText } from '../kernel/index.ts';
import { type AreaGeometry, BOUNDARY_EPSILON, type BBox, bboxOf, placePoint } from './geometry.ts';
import { type DivisionLevel, depthOf } from './division-levels.ts';

/** A division as the index needs it. */
export interface IndexedDivision {
  code: string;
  level: DivisionLevel;
  name: LocalizedText;
  parentCode: string | null;
  boundary: AreaGeometry;
}

/** One level of a located chain. */
export interface LocatedDivision {
  readonly code: string;
  readonly name: LocalizedText;
}

/** Where a point lies: the division holding it and each ancestor (null where a level is absent). */
export interface LocatedChain {
  readonly grid: LocatedDivision | null;
  readonly community: LocatedDivision | null;
  readonly street: LocatedDivision | null;
  readonly district: LocatedDivision | null;
  readonly city: LocatedDivision | null;
}

interface Entry {
  code: string;
  bbox: BBox;
  geometry: AreaGeometry;
  chain: LocatedChain;
}

/** A read-only snapshot of the divisions, answering point lookups. */
export class DivisionIndex {
  readonly size: number;
  readonly #buckets: Entry[][];
  readonly #minX: number;
  readonly #minY: number;
  readonly #cellW: number;
  readonly #cellH: number;
  readonly #cols: number;
  readonly #rows: number;

  constructor(divisions: readonly IndexedDivision[]) {
    this.size = divisions.length;
    const byCode = new Map(divisions.map((d) => [d.code, d]));
    const entries: Entry[] = divisions
      .map((d) => ({
        code: d.code,
        depth: depthOf(d.level),
        bbox: widen(bboxOf(d.boundary)),
        geometry: d.boundary,
        chain: chainOf(d, byCode),
      }))
      .sort((a, b) => b.depth - a.depth || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const e of entries) {
      minX = Math.min(minX, e.bbox[0]);
      minY = Math.min(minY, e.bbox[1]);
      maxX = Math.max(maxX, e.bbox[2]);
      maxY = Math.max(maxY, e.bbox[3]);
    }
    // About four buckets per division keeps each bucket's candidate list short.
    const side = Math.max(1, Math.ceil(Math.sqrt(entries.length * 4)));
    this.#cols = side;
    this.#rows = side;
    this.#minX = entries.length ? minX : 0;
    this.#minY = entries.length ? minY : 0;
    this.#cellW = entries.length ? (maxX - minX) / side || 1 : 1;
    this.#cellH = entries.length ? (maxY - minY) / side || 1 : 1;
    this.#buckets = Array.from({ length: this.#cols * this.#rows }, () => []);
    if (!entries.length) return;
    for (const e of entries) {
      const c0 = this.#col(e.bbox[0]);
      const c1 = this.#col(e.bbox[2]);
      const r0 = this.#row(e.bbox[1]);
      const r1 = this.#row(e.bbox[3]);
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) this.#buckets[r * this.#cols + c].push(e);
    }
  }

  #col(x: number) {
    return Math.min(this.#cols - 1, Math.max(0, Math.floor((x - this.#minX) / this.#cellW)));
  }
  #row(y: number) {
    return Math.min(this.#rows - 1, Math.max(0, Math.floor((y - this.#minY) / this.#cellH)));
  }

  /** The chain of the deepest division holding the point (smallest code on ties), or null. */
  locate(lat: number, lon: number): LocatedChain | null {
    if (this.size === 0) return null;
    const fx = (lon - this.#minX) / this.#cellW;
    const fy = (lat - this.#minY) / this.#cellH;
    // A point on the index's outer edge still belongs to the last bucket.
    if (!(fx >= 0 && fy >= 0 && fx <= this.#cols && fy <= this.#rows)) return null;
    const bucket =
      this.#buckets[Math.min(this.#rows - 1, fy | 0) * this.#cols + Math.min(this.#cols - 1, fx | 0)];
    for (const e of bucket) {
      const b = e.bbox;
      if (lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3]) continue;
      if (placePoint(e.geometry, lon, lat) !== 'outside') return e.chain;
    }
    return null;
  }
}

/** Widens a bbox by the boundary tolerance, so points counted as on an edge are candidates. */
function widen(b: BBox): BBox {
  return [b[0] - BOUNDARY_EPSILON, b[1] - BOUNDARY_EPSILON, b[2] + BOUNDARY_EPSILON, b[3] + BOUNDARY_EPSILON];
}

function chainOf(d: IndexedDivision, byCode: Map<string, IndexedDivision>): LocatedChain {
  const chain: Record<DivisionLevel, LocatedDivision | null> = {
    city: null,
    district: null,
    street: null,
    community: null,
    grid: null,
  };
  let cursor: IndexedDivision | undefined = d;
  const seen = new Set<string>();
  while (cursor && !seen.has(cursor.code)) {
    seen.add(cursor.code);
    chain[cursor.level] = Object.freeze({ code: cursor.code, name: cursor.name });
    cursor = cursor.parentCode ? byCode.get(cursor.parentCode) : undefined;
  }
  return Object.freeze({
    grid: chain.grid,
    community: chain.community,
    street: chain.street,
    district: chain.district,
    city: chain.city,
  });
}
