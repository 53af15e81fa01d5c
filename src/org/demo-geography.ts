/**
 * The geography of the demo city, Lanhu City (澜湖市), a fictional city near Hangzhou.
 * Deterministic for a seed: a jittered lattice of quadrilateral unit grids clipped to an
 * irregular outline with a lake (a hole); communities, streets and districts are Voronoi
 * groupings of those cells, and every boundary is traced from the cells' own edges, so
 * siblings share edges exactly and never overlap.
 */
import type { LocalizedText } from '../kernel/index.ts';
import type { DivisionLevel } from './division-levels.ts';
import type { AreaGeometry, Position, Ring } from './geometry.ts';

/** A division as the demo generator produces it. */
export interface DemoDivision {
  code: string;
  level: DivisionLevel;
  name: LocalizedText;
  parentCode: string | null;
  boundary: AreaGeometry;
}

/** A small fast deterministic generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_CITY_CODE = '3301';
const COLS = 26;
const ROWS = 20;
const LON0 = 120.03;
const LAT0 = 30.18;
const DX = 0.007;
const DY = 0.006;

const DISTRICTS: Array<{ code: string; name: LocalizedText }> = [
  { code: '330102', name: { 'zh-CN': '湖滨区', en: 'Hubin District' } },
  { code: '330105', name: { 'zh-CN': '西岭区', en: 'Xiling District' } },
  { code: '330106', name: { 'zh-CN': '江南区', en: 'Jiangnan District' } },
  { code: '330108', name: { 'zh-CN': '望潮区', en: 'Wangchao District' } },
];

const STREET_NAMES: Array<[string, string]> = [
  ['清波', 'Qingbo'],
  ['柳浪', 'Liulang'],
  ['涌金', 'Yongjin'],
  ['翠苑', 'Cuiyuan'],
  ['文新', 'Wenxin'],
  ['古荡', 'Gudang'],
  ['长河', 'Changhe'],
  ['浦沿', 'Puyan'],
  ['西兴', 'Xixing'],
  ['闻堰', 'Wenyan'],
  ['白鹭', 'Bailu'],
  ['枫桥', 'Fengqiao'],
  ['临波', 'Linbo'],
  ['芳洲', 'Fangzhou'],
  ['紫荆', 'Zijing'],
  ['云栖', 'Yunqi'],
];

const COMMUNITY_NAMES: Array<[string, string]> = [
  ['和平', 'Heping'],
  ['青石', 'Qingshi'],
  ['桂花', 'Guihua'],
  ['荷塘', 'Hetang'],
  ['梅苑', 'Meiyuan'],
  ['竹林', 'Zhulin'],
  ['兰亭', 'Lanting'],
  ['松涛', 'Songtao'],
  ['新桥', 'Xinqiao'],
  ['月湾', 'Yuewan'],
  ['锦绣', 'Jinxiu'],
  ['翠湖', 'Cuihu'],
  ['明珠', 'Mingzhu'],
  ['安居', 'Anju'],
  ['春晖', 'Chunhui'],
  ['秋水', 'Qiushui'],
  ['金沙', 'Jinsha'],
  ['银杏', 'Yinxing'],
  ['望江', 'Wangjiang'],
  ['听雨', 'Tingyu'],
];

type Cell = number; // j * COLS + i
const cellOf = (i: number, j: number): Cell => j * COLS + i;
const colOf = (c: Cell) => c % COLS;
const rowOf = (c: Cell) => Math.floor(c / COLS);

/** Generates the whole demo city; the same seed gives the same divisions, byte for byte. */
export function generateDemoGeography(seed: number): DemoDivision[] {
  const rand = seededRandom(seed);
  const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

  // Lattice vertices, jittered by up to a quarter cell: quads stay simple and share edges.
  const vertex: Position[] = [];
  for (let j = 0; j <= ROWS; j++)
    for (let i = 0; i <= COLS; i++)
      vertex.push([
        round6(LON0 + (i + (rand() - 0.5) * 0.5) * DX),
        round6(LAT0 + (j + (rand() - 0.5) * 0.5) * DY),
      ]);
  const v = (i: number, j: number) => vertex[j * (COLS + 1) + i];

  // An irregular outline: an ellipse whose radius wobbles with the angle.
  const phase = rand() * Math.PI * 2;
  const wobble = [0.08 + rand() * 0.06, 0.04 + rand() * 0.04];
  const lake = { i: COLS * (0.55 + rand() * 0.1), j: ROWS * (0.4 + rand() * 0.15), r: 1.7 + rand() * 0.4 };
  const cells: Cell[] = [];
  for (let j = 0; j < ROWS; j++)
    for (let i = 0; i < COLS; i++) {
      const x = (i + 0.5 - COLS / 2) / (COLS / 2);
      const y = (j + 0.5 - ROWS / 2) / (ROWS / 2);
      const theta = Math.atan2(y, x);
      const limit = 1 + wobble[0] * Math.sin(3 * theta + phase) + wobble[1] * Math.cos(5 * theta - phase);
      if (Math.hypot(x, y) > limit) continue;
      if (Math.hypot(i + 0.5 - lake.i, j + 0.5 - lake.j) < lake.r) continue;
      cells.push(cellOf(i, j));
    }
  const cellSet = new Set(cells);

  // Districts: Voronoi around seeds spread by angle; streets and communities the same within.
  const districtSeeds = DISTRICTS.map((_, k) => {
    const a = phase + (k * 2 * Math.PI) / DISTRICTS.length + (rand() - 0.5) * 0.5;
    return nearestCell(cells, COLS / 2 + Math.cos(a) * COLS * 0.25, ROWS / 2 + Math.sin(a) * ROWS * 0.25);
  });
  const districtCells = voronoi(cells, districtSeeds);

  const out: DemoDivision[] = [];
  const trace = (group: readonly Cell[]) => traceBoundary(group, v);
  out.push({
    code: DEMO_CITY_CODE,
    level: 'city',
    name: { 'zh-CN': '澜湖市', en: 'Lanhu City' },
    parentCode: null,
    boundary: trace(cells),
  });
  let streetName = 0;
  let communityName = 0;
  DISTRICTS.forEach((district, d) => {
    const dCells = districtCells[d];
    out.push({
      code: district.code,
      level: 'district',
      name: district.name,
      parentCode: DEMO_CITY_CODE,
      boundary: trace(dCells),
    });
    const streetCount = dCells.length > 110 ? 4 : 3;
    const streets = voronoi(dCells, pickSeeds(dCells, streetCount, rand));
    streets.forEach((sCells, s) => {
      const sCode = `${district.code}${String(s + 1).padStart(3, '0')}`;
      const [sZh, sEn] = STREET_NAMES[streetName++ % STREET_NAMES.length];
      out.push({
        code: sCode,
        level: 'street',
        name: { 'zh-CN': `${sZh}街道`, en: `${sEn} Subdistrict` },
        parentCode: district.code,
        boundary: trace(sCells),
      });
      const communityCount = Math.max(3, Math.round(sCells.length / 10));
      const communities = voronoi(sCells, pickSeeds(sCells, communityCount, rand));
      communities.forEach((cCells, c) => {
        const cCode = `${sCode}${String(c + 1).padStart(3, '0')}`;
        const [cZh, cEn] = COMMUNITY_NAMES[communityName++ % COMMUNITY_NAMES.length];
        const cName = { 'zh-CN': `${cZh}社区`, en: `${cEn} Community` };
        out.push({
          code: cCode,
          level: 'community',
          name: cName,
          parentCode: sCode,
          boundary: trace(cCells),
        });
        [...cCells]
          .sort((a, b) => a - b)
          .forEach((cell, g) => {
            const n = g + 1;
            out.push({
              code: `${cCode}${String(n).padStart(2, '0')}`,
              level: 'grid',
              name: { 'zh-CN': `${cName['zh-CN']}第${n}网格`, en: `${cName.en} Grid ${n}` },
              parentCode: cCode,
              boundary: trace([cell]),
            });
          });
      });
    });
  });
  if (cellSet.size !== cells.length) throw new Error('demo city cells are not unique');
  return out;
}

function nearestCell(cells: readonly Cell[], x: number, y: number): Cell {
  let best = cells[0];
  let bestD = Infinity;
  for (const c of cells) {
    const d = (colOf(c) + 0.5 - x) ** 2 + (rowOf(c) + 0.5 - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** `count` distinct cells of the group, spread out: each next seed is far from the others. */
function pickSeeds(group: readonly Cell[], count: number, rand: () => number): Cell[] {
  const sorted = [...group].sort((a, b) => a - b);
  const seeds = [sorted[Math.floor(rand() * sorted.length)]];
  while (seeds.length < Math.min(count, sorted.length)) {
    // Farthest-point sampling among a random sample keeps regions compact but irregular.
    let best = -1;
    let bestD = -1;
    for (let k = 0; k < 12; k++) {
      const c = sorted[Math.floor(rand() * sorted.length)];
      if (seeds.includes(c)) continue;
      const d = Math.min(...seeds.map((s) => (colOf(s) - colOf(c)) ** 2 + (rowOf(s) - rowOf(c)) ** 2));
      if (d > bestD) {
        bestD = d;
        best = c;
      }
    }
    if (best < 0) best = sorted.find((c) => !seeds.includes(c))!;
    seeds.push(best);
  }
  return seeds;
}

/** Assigns each cell to its nearest seed (ties to the earlier seed); seeds keep their own cell. */
function voronoi(group: readonly Cell[], seeds: readonly Cell[]): Cell[][] {
  const regions: Cell[][] = seeds.map(() => []);
  for (const c of group) {
    let best = 0;
    let bestD = Infinity;
    seeds.forEach((s, k) => {
      const d = (colOf(s) - colOf(c)) ** 2 + (rowOf(s) - rowOf(c)) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    });
    regions[best].push(c);
  }
  return regions;
}

/**
 * Traces the outline of a union of lattice cells: the directed cell edges whose reverse is
 * not in the set, chained into rings (turning left first at pinch points so rings stay
 * simple). Counter-clockwise rings are outer boundaries, clockwise ones holes.
 */
function traceBoundary(group: readonly Cell[], v: (i: number, j: number) => Position): AreaGeometry {
  const key = (i: number, j: number) => j * (COLS + 1) + i;
  const edges = new Set<string>();
  for (const c of group) {
    const i = colOf(c);
    const j = rowOf(c);
    const corners = [key(i, j), key(i + 1, j), key(i + 1, j + 1), key(i, j + 1)];
    for (let k = 0; k < 4; k++) edges.add(`${corners[k]}>${corners[(k + 1) % 4]}`);
  }
  const outgoing = new Map<number, number[]>();
  for (const e of edges) {
    const [a, b] = e.split('>').map(Number);
    if (edges.has(`${b}>${a}`)) continue;
    const list = outgoing.get(a) ?? [];
    list.push(b);
    outgoing.set(a, list);
  }
  const ij = (k: number): [number, number] => [k % (COLS + 1), Math.floor(k / (COLS + 1))];
  const rings: Array<{ keys: number[]; area: number }> = [];
  const starts = [...outgoing.keys()].sort((a, b) => a - b);
  for (const start of starts) {
    while ((outgoing.get(start)?.length ?? 0) > 0) {
      const keys = [start];
      let prev = start;
      let cur = outgoing.get(start)!.shift()!;
      while (cur !== start) {
        keys.push(cur);
        const options = outgoing.get(cur)!;
        let pick = 0;
        if (options.length > 1) {
          // Prefer the sharpest left turn (in lattice space) relative to the incoming edge.
          const [pi, pj] = ij(prev);
          const [ci, cj] = ij(cur);
          const din = [ci - pi, cj - pj];
          let bestScore = -Infinity;
          options.forEach((o, idx) => {
            const [oi, oj] = ij(o);
            const dout = [oi - ci, oj - cj];
            const cross = din[0] * dout[1] - din[1] * dout[0];
            const dot = din[0] * dout[0] + din[1] * dout[1];
            const score = Math.atan2(cross, dot);
            if (score > bestScore) {
              bestScore = score;
              pick = idx;
            }
          });
        }
        prev = cur;
        cur = options.splice(pick, 1)[0];
      }
      keys.push(start);
      let area = 0;
      for (let k = 0; k < keys.length - 1; k++) {
        const [x1, y1] = ij(keys[k]);
        const [x2, y2] = ij(keys[k + 1]);
        area += x1 * y2 - x2 * y1;
      }
      rings.push({ keys, area: area / 2 });
    }
  }
  const toRing = (keys: number[]): Ring => keys.map((k) => v(...ij(k)));
  const outers = rings.filter((r) => r.area > 0).map((r) => ({ ...r, holes: [] as number[][] }));
  for (const hole of rings.filter((r) => r.area < 0)) {
    // A hole belongs to the outer ring that holds one of its vertices strictly inside (lattice space).
    const owner =
      outers.find((o) => hole.keys.some((k) => latticeInside(o.keys, ij(k), ij) === 'inside')) ?? outers[0];
    owner.holes.push(hole.keys);
  }
  const polygons = outers.map((o) => [toRing(o.keys), ...o.holes.map(toRing)]);
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0] }
    : { type: 'MultiPolygon', coordinates: polygons };
}

function latticeInside(
  keys: number[],
  [x, y]: [number, number],
  ij: (k: number) => [number, number],
): 'inside' | 'other' {
  let inside = false;
  for (let k = 0; k < keys.length - 1; k++) {
    const [x1, y1] = ij(keys[k]);
    const [x2, y2] = ij(keys[k + 1]);
    if ((x1 === x && y1 === y) || (x2 === x && y2 === y)) return 'other';
    if (y1 === y2 && y === y1 && x >= Math.min(x1, x2) && x <= Math.max(x1, x2)) return 'other';
    if (x1 === x2 && x === x1 && y >= Math.min(y1, y2) && y <= Math.max(y1, y2)) return 'other';
    if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
  }
  return inside ? 'inside' : 'other';
}
