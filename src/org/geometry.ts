/**
 * Planar geometry on WGS 84 longitude/latitude for division boundaries: validation,
 * bounding boxes, areas, point classification (boundary-aware ray casting) and the
 * containment and overlap checks the GeoJSON import runs. Pure functions, no I/O.
 */

/** `[longitude, latitude]` in degrees, as GeoJSON orders them. */
export type Position = [number, number];
/** A closed linear ring: first and last positions equal, at least four positions. */
export type Ring = Position[];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Ring[];
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Ring[][];
}
/** The boundary of a division. */
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;
/** `[minLon, minLat, maxLon, maxLat]`. */
export type BBox = [number, number, number, number];

/**
 * Distance (degrees) within which a point counts as lying on a boundary edge: 1e-9° is
 * about 0.1 mm, far below survey precision, and absorbs floating-point noise on edges.
 */
export const BOUNDARY_EPSILON = 1e-9;

/** Where a point lies relative to an area. */
export type PointPlacement = 'inside' | 'boundary' | 'outside';

/** The polygons of a geometry (a Polygon is one). */
export function polygonsOf(g: AreaGeometry): Ring[][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/**
 * Checks a value is a usable Polygon/MultiPolygon: numbers in range, closed rings of at
 * least four positions, no zero-area outer ring. Returns a problem sentence or null.
 */
export function geometryProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object') return 'geometry is missing';
  const g = value as { type?: unknown; coordinates?: unknown };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon')
    return `geometry type must be Polygon or MultiPolygon (got ${JSON.stringify(g.type)})`;
  if (!Array.isArray(g.coordinates)) return 'geometry coordinates must be an array';
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (polygons.length === 0) return 'geometry has no polygons';
  for (const [p, polygon] of polygons.entries()) {
    const where = g.type === 'MultiPolygon' ? `polygon ${p} ` : '';
    if (!Array.isArray(polygon) || polygon.length === 0) return `${where}has no rings`;
    for (const [r, ring] of (polygon as unknown[]).entries()) {
      const name = `${where}${r === 0 ? 'outer ring' : `hole ${r}`}`;
      if (!Array.isArray(ring)) return `${name} must be an array of positions`;
      if (ring.length < 4) return `${name} has ${ring.length} positions; a ring needs at least 4`;
      for (const [i, pos] of ring.entries()) {
        if (
          !Array.isArray(pos) ||
          pos.length < 2 ||
          typeof pos[0] !== 'number' ||
          typeof pos[1] !== 'number' ||
          !Number.isFinite(pos[0]) ||
          !Number.isFinite(pos[1])
        )
          return `${name} position ${i} is not a [longitude, latitude] pair of numbers`;
        if (pos[0] < -180 || pos[0] > 180) return `${name} position ${i} longitude ${pos[0]} is out of range`;
        if (pos[1] < -90 || pos[1] > 90) return `${name} position ${i} latitude ${pos[1]} is out of range`;
      }
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1])
        return `${name} is not closed (first and last positions differ)`;
      if (Math.abs(ringSignedArea(ring as Ring)) === 0) return `${name} has zero area`;
    }
  }
  return null;
}

/** Bounding box of a geometry. */
export function bboxOf(g: AreaGeometry): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of polygonsOf(g))
    for (const [x, y] of polygon[0]) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  return [minX, minY, maxX, maxY];
}

/** Shoelace area in square degrees; positive for counter-clockwise rings. */
export function ringSignedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}

const METRES_PER_DEGREE = 111_320;

/** Area in square metres (equirectangular at the polygon's latitude; fine at city scale). */
export function areaSquareMetres(g: AreaGeometry): number {
  let total = 0;
  for (const polygon of polygonsOf(g)) {
    const [, minY, , maxY] = bboxOf({ type: 'Polygon', coordinates: polygon });
    const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) * METRES_PER_DEGREE * METRES_PER_DEGREE;
    let a = Math.abs(ringSignedArea(polygon[0]));
    for (const hole of polygon.slice(1)) a -= Math.abs(ringSignedArea(hole));
    total += a * k;
  }
  return total;
}

/** True when (x, y) lies within `eps` of the segment (x1, y1)–(x2, y2). */
function nearSegment(x: number, y: number, x1: number, y1: number, x2: number, y2: number, eps: number) {
  if (
    x < Math.min(x1, x2) - eps ||
    x > Math.max(x1, x2) + eps ||
    y < Math.min(y1, y2) - eps ||
    y > Math.max(y1, y2) + eps
  )
    return false;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((x - x1) * dx + (y - y1) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const px = x1 + t * dx - x;
  const py = y1 + t * dy - y;
  return px * px + py * py <= eps * eps;
}

/** Ray casting (even–odd) with an explicit boundary test first. */
export function placeInRing(ring: Ring, x: number, y: number, eps = BOUNDARY_EPSILON): PointPlacement {
  let inside = false;
  for (let i = 0, n = ring.length - 1; i < n; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    const x1 = a[0];
    const y1 = a[1];
    const x2 = b[0];
    const y2 = b[1];
    if (nearSegment(x, y, x1, y1, x2, y2, eps)) return 'boundary';
    if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
  }
  return inside ? 'inside' : 'outside';
}

/**
 * Places a point relative to a polygon with holes: a hole's interior is outside, a hole's
 * edge is the polygon's boundary.
 */
export function placeInPolygon(
  polygon: Ring[],
  x: number,
  y: number,
  eps = BOUNDARY_EPSILON,
): PointPlacement {
  const outer = placeInRing(polygon[0], x, y, eps);
  if (outer !== 'inside') return outer;
  for (let h = 1; h < polygon.length; h++) {
    const p = placeInRing(polygon[h], x, y, eps);
    if (p === 'boundary') return 'boundary';
    if (p === 'inside') return 'outside';
  }
  return 'inside';
}

/** Places a point relative to a Polygon or MultiPolygon (inside one part is inside). */
export function placePoint(g: AreaGeometry, x: number, y: number, eps = BOUNDARY_EPSILON): PointPlacement {
  let result: PointPlacement = 'outside';
  for (const polygon of polygonsOf(g)) {
    const p = placeInPolygon(polygon, x, y, eps);
    if (p === 'inside') return 'inside';
    if (p === 'boundary') result = 'boundary';
  }
  return result;
}

/** True when the open segments a–b and c–d cross at a single interior point of both. */
function properlyCross(a: Position, b: Position, c: Position, d: Position, eps: number): boolean {
  const orient = (p: Position, q: Position, r: Position) =>
    (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const d1 = orient(c, d, a);
  const d2 = orient(c, d, b);
  const d3 = orient(a, b, c);
  const d4 = orient(a, b, d);
  if (!(d1 > 0 !== d2 > 0 && d1 !== 0 && d2 !== 0 && d3 > 0 !== d4 > 0 && d3 !== 0 && d4 !== 0)) return false;
  // Touching within tolerance (an endpoint on the other segment) is not a crossing.
  return (
    !nearSegment(a[0], a[1], c[0], c[1], d[0], d[1], eps) &&
    !nearSegment(b[0], b[1], c[0], c[1], d[0], d[1], eps) &&
    !nearSegment(c[0], c[1], a[0], a[1], b[0], b[1], eps) &&
    !nearSegment(d[0], d[1], a[0], a[1], b[0], b[1], eps)
  );
}

function ringsOf(g: AreaGeometry): Ring[] {
  return polygonsOf(g).flat();
}

function bboxesMeet(a: BBox, b: BBox, eps: number) {
  return a[0] <= b[2] + eps && b[0] <= a[2] + eps && a[1] <= b[3] + eps && b[1] <= a[3] + eps;
}

/** A point strictly inside the polygon (not on its boundary), for sampling; null if none found. */
function interiorSample(polygon: Ring[], eps: number): Position | null {
  const outer = polygon[0];
  // Midpoints of triangles fanned from consecutive vertices: one lies inside any simple polygon.
  for (let i = 0; i + 2 < outer.length; i++) {
    const a = outer[i];
    const b = outer[i + 1];
    const c = outer[i + 2];
    const p: Position = [(a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3];
    if (placeInPolygon(polygon, p[0], p[1], eps) === 'inside') return p;
  }
  return null;
}

/**
 * True when the interiors of two areas overlap beyond `tolerance` degrees: an edge of one
 * properly crosses an edge of the other, a vertex of one lies inside the other farther than
 * the tolerance from its boundary, or an interior sample of one lies inside the other
 * (catches identical shapes). Shared edges and touching vertices are not overlaps.
 */
export function interiorsOverlap(a: AreaGeometry, b: AreaGeometry, tolerance: number): boolean {
  if (!bboxesMeet(bboxOf(a), bboxOf(b), tolerance)) return false;
  const ra = ringsOf(a);
  const rb = ringsOf(b);
  for (const r of ra) for (const p of r) if (placePoint(b, p[0], p[1], tolerance) === 'inside') return true;
  for (const r of rb) for (const p of r) if (placePoint(a, p[0], p[1], tolerance) === 'inside') return true;
  for (const r1 of ra)
    for (let i = 0; i < r1.length - 1; i++)
      for (const r2 of rb)
        for (let j = 0; j < r2.length - 1; j++)
          if (properlyCross(r1[i], r1[i + 1], r2[j], r2[j + 1], tolerance)) return true;
  for (const polygon of polygonsOf(a)) {
    const s = interiorSample(polygon, tolerance);
    if (s && placePoint(b, s[0], s[1], tolerance) === 'inside') return true;
  }
  return false;
}

/**
 * True when `child` lies within `parent` up to `tolerance` degrees: every vertex of the child
 * is inside or within the tolerance of the parent's boundary, and no child edge properly
 * crosses a parent edge.
 */
export function withinArea(child: AreaGeometry, parent: AreaGeometry, tolerance: number): boolean {
  const cb = bboxOf(child);
  const pb = bboxOf(parent);
  if (
    cb[0] < pb[0] - tolerance ||
    cb[1] < pb[1] - tolerance ||
    cb[2] > pb[2] + tolerance ||
    cb[3] > pb[3] + tolerance
  )
    return false;
  const rc = ringsOf(child);
  for (const r of rc)
    for (const p of r) if (placePoint(parent, p[0], p[1], tolerance) === 'outside') return false;
  const rp = ringsOf(parent);
  for (const r1 of rc)
    for (let i = 0; i < r1.length - 1; i++)
      for (const r2 of rp)
        for (let j = 0; j < r2.length - 1; j++)
          if (properlyCross(r1[i], r1[i + 1], r2[j], r2[j + 1], tolerance)) return false;
  // A child that covers one of the parent's holes (a lake) is not within the parent.
  for (const polygon of polygonsOf(parent))
    for (const hole of polygon.slice(1)) {
      const s = interiorSample([hole], tolerance);
      if (s && placePoint(child, s[0], s[1], tolerance) === 'inside') return false;
    }
  return true;
}
