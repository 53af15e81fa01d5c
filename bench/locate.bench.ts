/**
 * Point → grid lookup, in-process, over the demo city (target ≥ 100,000 lookups/s).
 * The ceiling is the same loop answering from the bucket's first candidate without the
 * point-in-polygon test: what the lookup would cost if geometry were free.
 *
 *   node --import tsx bench/locate.bench.ts        # prints JSON
 */
import { fileURLToPath } from 'node:url';
import { DivisionIndex, generateDemoGeography } from '../src/org/index.ts';
import type { BenchResult } from './bench-kit.ts';

export const name = 'locate';

export interface LocateBenchResult {
  name: 'locate';
  divisions: number;
  grids: number;
  lookups: number;
  /** Share of sample points inside the city. */
  hitRatio: number;
  lookupsPerSecond: number;
  /** Lookups per second of a loop that skips the polygon test. */
  ceilingPerSecond: number;
  ratioToCeiling: number;
  target: number;
  pass: boolean;
}

/** Measures for about `seconds` per loop and returns the detailed figures. */
export async function measureLocate(
  options: { seconds?: number; seed?: number } = {},
): Promise<LocateBenchResult> {
  const seconds = options.seconds ?? 2;
  const divisions = generateDemoGeography(options.seed ?? 1);
  const index = new DivisionIndex(divisions);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const d of divisions.filter((x) => x.level === 'city'))
    for (const polygon of d.boundary.type === 'Polygon' ? [d.boundary.coordinates] : d.boundary.coordinates)
      for (const [x, y] of polygon[0]) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
  // A fixed pseudo-random sample over the city's bounding box: mostly inside, some outside.
  const n = 65_536;
  const lats = new Float64Array(n);
  const lons = new Float64Array(n);
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    lats[i] = minY + rand() * (maxY - minY);
    lons[i] = minX + rand() * (maxX - minX);
  }
  let hits = 0;
  for (let i = 0; i < n; i++) if (index.locate(lats[i], lons[i])) hits++;

  const measure = (fn: (lat: number, lon: number) => unknown) => {
    // Warm up, then count lookups for the given time.
    for (let i = 0; i < n; i++) fn(lats[i], lons[i]);
    let count = 0;
    const start = performance.now();
    const deadline = start + seconds * 1000;
    let now = start;
    while (now < deadline) {
      for (let i = 0; i < n; i++) fn(lats[i], lons[i]);
      count += n;
      now = performance.now();
    }
    return { count, perSecond: count / ((now - start) / 1000) };
  };
  const real = measure((lat, lon) => index.locate(lat, lon));
  const bare = new DivisionIndex(divisions.filter((d) => d.level === 'grid').slice(0, 1));
  const ceiling = measure((lat, lon) => bare.locate(lat, lon));
  const target = 100_000;
  return {
    name: 'locate',
    divisions: divisions.length,
    grids: divisions.filter((d) => d.level === 'grid').length,
    lookups: real.count,
    hitRatio: Math.round((hits / n) * 1000) / 1000,
    lookupsPerSecond: Math.round(real.perSecond),
    ceilingPerSecond: Math.round(ceiling.perSecond),
    ratioToCeiling: Math.round((real.perSecond / ceiling.perSecond) * 1000) / 1000,
    target,
    pass: real.perSecond >= target,
  };
}

/** The bench runner's entry (`npm run bench locate`). */
export async function run(): Promise<BenchResult[]> {
  const r = await measureLocate();
  return [
    {
      name: 'point → grid lookup',
      value: r.lookupsPerSecond,
      unit: 'lookups/s',
      ceiling: { name: 'lookup without the polygon test', value: r.ceilingPerSecond },
      target: '≥ 100000 lookups/s',
      notes: `${r.grids} grids, ${r.divisions} divisions, ${Math.round(r.hitRatio * 100)} % of points inside the city`,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  measureLocate().then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
