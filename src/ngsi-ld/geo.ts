/**
 * Geo-queries (ETSI GS CIM 009 §4.10) without PostGIS: the store keeps the bounding box
 * of each entity's `location` in plain columns, SQL prefilters candidates by box, and the
 * exact relation is decided here. Relations are planar on longitude/latitude (adequate at
 * city scale); `near` uses great-circle (haversine) distances in metres.
 */
import { NgsiLdError } from './ngsi-ld-errors.ts';

export type Position = [number, number, ...number[]];
export interface Geometry {
  type: 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString' | 'Polygon' | 'MultiPolygon';
  coordinates: unknown;
}
export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export const GEOMETRY_TYPES = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
];

const isPosition = (p: unknown): p is Position =>
  Array.isArray(p) &&
  p.length >= 2 &&
  p.length <= 3 &&
  p.every((n) => typeof n === 'number' && Number.isFinite(n));
const isLine = (l: unknown, min: number) => Array.isArray(l) && l.length >= min && l.every(isPosition);
const isRing = (r: unknown) => isLine(r, 4);
const isPolygon = (p: unknown) => Array.isArray(p) && p.length >= 1 && p.every(isRing);

/** True when `g` is a GeoJSON geometry this broker handles. */
export function isGeometry(g: unknown): g is Geometry {
  if (!g || typeof g !== 'object') return false;
  const { type, coordinates: c } = g as { type?: unknown; coordinates?: unknown };
  switch (type) {
    case 'Point':
      return isPosition(c);
    case 'MultiPoint':
      return Array.isArray(c) && c.every(isPosition);
    case 'LineString':
      return isLine(c, 2);
    case 'MultiLineString':
      return Array.isArray(c) && c.every((l) => isLine(l, 2));
    case 'Polygon':
      return isPolygon(c);
    case 'MultiPolygon':
      return Array.isArray(c) && c.every(isPolygon);
    default:
      return false;
  }
}

interface Parts {
  points: Position[];
  segments: Array<[Position, Position]>;
  polygons: Position[][][];
}

function partsOf(g: Geometry): Parts {
  const points: Position[] = [];
  const segments: Array<[Position, Position]> = [];
  const polygons: Position[][][] = [];
  const addLine = (line: Position[]) => {
    for (let i = 0; i + 1 < line.length; i++) segments.push([line[i], line[i + 1]]);
    points.push(...line);
  };
  const c = g.coordinates as never;
  switch (g.type) {
    case 'Point':
      points.push(c);
      break;
    case 'MultiPoint':
      points.push(...(c as Position[]));
      break;
    case 'LineString':
      addLine(c);
      break;
    case 'MultiLineString':
      for (const l of c as Position[][]) addLine(l);
      break;
    case 'Polygon':
      polygons.push(c);
      for (const r of c as Position[][]) addLine(r);
      break;
    case 'MultiPolygon':
      for (const p of c as Position[][][]) {
        polygons.push(p);
        for (const r of p) addLine(r);
      }
      break;
  }
  return { points, segments, polygons };
}

/** Bounding box of a geometry. */
export function bboxOf(g: Geometry): BBox {
  const { points } = partsOf(g);
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    if (x < box[0]) box[0] = x;
    if (y < box[1]) box[1] = y;
    if (x > box[2]) box[2] = x;
    if (y > box[3]) box[3] = y;
  }
  return box;
}

const EPS = 1e-12;
const cross = (o: Position, a: Position, b: Position) =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
const onSegment = (p: Position, a: Position, b: Position) =>
  Math.abs(cross(a, b, p)) < EPS &&
  Math.min(a[0], b[0]) - EPS <= p[0] &&
  p[0] <= Math.max(a[0], b[0]) + EPS &&
  Math.min(a[1], b[1]) - EPS <= p[1] &&
  p[1] <= Math.max(a[1], b[1]) + EPS;

function segmentsIntersect(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (
    ((d1 > EPS && d2 < -EPS) || (d1 < -EPS && d2 > EPS)) &&
    ((d3 > EPS && d4 < -EPS) || (d3 < -EPS && d4 > EPS))
  )
    return true;
  return onSegment(a, c, d) || onSegment(b, c, d) || onSegment(c, a, b) || onSegment(d, a, b);
}

function inRing(p: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside or on the boundary of a polygon (outer ring minus holes). */
function inPolygon(p: Position, polygon: Position[][]): boolean {
  for (const ring of polygon)
    for (let i = 0; i + 1 < ring.length; i++) if (onSegment(p, ring[i], ring[i + 1])) return true;
  if (!inRing(p, polygon[0])) return false;
  for (let h = 1; h < polygon.length; h++) if (inRing(p, polygon[h])) return false;
  return true;
}

const samePoint = (a: Position, b: Position) => Math.abs(a[0] - b[0]) < EPS && Math.abs(a[1] - b[1]) < EPS;

/** True when the geometries share at least one point. */
export function intersects(a: Geometry, b: Geometry): boolean {
  const pa = partsOf(a);
  const pb = partsOf(b);
  for (const p of pa.points) if (pb.polygons.some((poly) => inPolygon(p, poly))) return true;
  for (const p of pb.points) if (pa.polygons.some((poly) => inPolygon(p, poly))) return true;
  for (const [s1, s2] of pa.segments)
    for (const [t1, t2] of pb.segments) if (segmentsIntersect(s1, s2, t1, t2)) return true;
  for (const p of pa.points) {
    if (pb.points.some((q) => samePoint(p, q))) return true;
    if (pb.segments.some(([t1, t2]) => onSegment(p, t1, t2))) return true;
  }
  for (const p of pb.points) if (pa.segments.some(([t1, t2]) => onSegment(p, t1, t2))) return true;
  return false;
}

/**
 * True when `a` lies within `b`: every vertex of `a` is inside or on `b`'s polygons and no
 * edge of `a` properly crosses `b`'s boundary. For a non-areal `b`, within means equal.
 */
export function within(a: Geometry, b: Geometry): boolean {
  const pb = partsOf(b);
  if (pb.polygons.length === 0) return equals(a, b);
  const pa = partsOf(a);
  if (!pa.points.every((p) => pb.polygons.some((poly) => inPolygon(p, poly)))) return false;
  for (const [s1, s2] of pa.segments)
    for (const [t1, t2] of pb.segments) {
      const d1 = cross(t1, t2, s1);
      const d2 = cross(t1, t2, s2);
      const d3 = cross(s1, s2, t1);
      const d4 = cross(s1, s2, t2);
      if (d1 * d2 < -EPS && d3 * d4 < -EPS) return false;
    }
  return true;
}

/** Same type and the same coordinates. */
export function equals(a: Geometry, b: Geometry): boolean {
  return a.type === b.type && JSON.stringify(a.coordinates) === JSON.stringify(b.coordinates);
}

/** Great-circle distance in metres. */
export function haversine(a: Position, b: Position): number {
  const R = 6_371_008.8;
  const toRad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * toRad;
  const dLon = (b[0] - a[0]) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Distance in metres from a point to a geometry: 0 inside, else to the nearest vertex or edge. */
export function distanceTo(p: Position, g: Geometry): number {
  const parts = partsOf(g);
  if (parts.polygons.some((poly) => inPolygon(p, poly))) return 0;
  let best = Infinity;
  for (const q of parts.points) best = Math.min(best, haversine(p, q));
  // Nearest point on each edge, projected in a local equirectangular frame.
  const k = Math.cos((p[1] * Math.PI) / 180);
  for (const [a, b] of parts.segments) {
    const ax = (a[0] - p[0]) * k;
    const ay = a[1] - p[1];
    const bx = (b[0] - p[0]) * k;
    const by = b[1] - p[1];
    const dx = bx - ax;
    const dy = by - ay;
    const len = dx * dx + dy * dy;
    const t = len === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len));
    const q: Position = [p[0] + (ax + t * dx) / k, p[1] + ay + t * dy];
    best = Math.min(best, haversine(p, q));
  }
  return best;
}

/** A parsed geo-query. */
export interface GeoQuery {
  georel: 'near' | 'within' | 'contains' | 'intersects' | 'equals' | 'disjoint' | 'overlaps';
  maxDistance?: number;
  minDistance?: number;
  geometry: Geometry;
  /** Expanded IRI of the GeoProperty to test. */
  geoproperty: string;
}

/** Parses the `georel`, `geometry` and `coordinates` parameters (§4.10). */
export function parseGeoQuery(
  georel: string | undefined,
  geometry: string | undefined,
  coordinates: string | unknown,
  geoproperty: string,
): GeoQuery | null {
  if (georel === undefined && geometry === undefined && coordinates === undefined) return null;
  if (!georel || !geometry || coordinates === undefined)
    throw new NgsiLdError('BadRequestData', 'A geo-query needs georel, geometry and coordinates together.');
  const [rel, ...mods] = georel.split(';');
  if (!['near', 'within', 'contains', 'intersects', 'equals', 'disjoint', 'overlaps'].includes(rel))
    throw new NgsiLdError('BadRequestData', `Unknown georel ${rel}.`);
  let coords: unknown = coordinates;
  if (typeof coordinates === 'string') {
    try {
      coords = JSON.parse(coordinates);
    } catch {
      throw new NgsiLdError('BadRequestData', 'coordinates must be a JSON array.');
    }
  }
  const geom = { type: geometry, coordinates: coords };
  if (!isGeometry(geom))
    throw new NgsiLdError(
      'BadRequestData',
      `coordinates are not a valid ${geometry} (GeoJSON positions: [lon, lat]).`,
    );
  const q: GeoQuery = { georel: rel as GeoQuery['georel'], geometry: geom, geoproperty };
  if (rel === 'near') {
    for (const mod of mods) {
      const m = /^(maxDistance|minDistance)==(\d+(?:\.\d+)?)$/.exec(mod);
      if (!m) throw new NgsiLdError('BadRequestData', `Invalid near modifier ${mod}.`);
      q[m[1] as 'maxDistance' | 'minDistance'] = Number(m[2]);
    }
    if (q.maxDistance === undefined && q.minDistance === undefined)
      throw new NgsiLdError('BadRequestData', 'near needs maxDistance==<m> or minDistance==<m>.');
    if (geom.type !== 'Point') throw new NgsiLdError('BadRequestData', 'near needs a Point geometry.');
  } else if (mods.length) throw new NgsiLdError('BadRequestData', `georel ${rel} takes no modifiers.`);
  return q;
}

/** Decides the relation for one entity geometry. */
export function matchesGeoQuery(q: GeoQuery, g: unknown): boolean {
  if (!isGeometry(g)) return false;
  switch (q.georel) {
    case 'near': {
      const d = distanceTo(q.geometry.coordinates as Position, g);
      return (
        (q.maxDistance === undefined || d <= q.maxDistance) &&
        (q.minDistance === undefined || d >= q.minDistance)
      );
    }
    case 'within':
      return within(g, q.geometry);
    case 'contains':
      return within(q.geometry, g);
    case 'intersects':
      return intersects(g, q.geometry);
    case 'equals':
      return equals(g, q.geometry);
    case 'disjoint':
      return !intersects(g, q.geometry);
    case 'overlaps':
      return intersects(g, q.geometry) && !within(g, q.geometry) && !within(q.geometry, g);
  }
}

/**
 * The box an entity's location box must overlap for the relation to possibly hold, or
 * null when no box prefilter applies (disjoint, minDistance only).
 */
export function prefilterBox(q: GeoQuery): BBox | null {
  if (q.georel === 'disjoint') return null;
  if (q.georel === 'near') {
    if (q.maxDistance === undefined) return null;
    const [lon, lat] = q.geometry.coordinates as Position;
    const dLat = q.maxDistance / 111_320 + 1e-9;
    const cos = Math.cos((lat * Math.PI) / 180);
    const dLon = cos < 1e-6 ? 180 : q.maxDistance / (111_320 * cos) + 1e-9;
    return [lon - dLon, lat - dLat, lon + dLon, lat + dLat];
  }
  return bboxOf(q.geometry);
}
