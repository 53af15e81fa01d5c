/**
 * Open311 POST intake at 50 connections (docs/design.md#performance-targets: ≥ 2,000/s, p99 < 50 ms), beside
 * the bare-Fastify ceiling, in the three intake modes: `immediate` (the case is created
 * inside the POST and its number returned), `queued` (the report is group-committed and a
 * token returned; the worker files cases behind, giving way to posts while they arrive) and
 * `auto`, the default (immediate while few are being filed, queued beyond). After each run
 * the backlog is filed and every case number is checked to be unique. The `hotspot` case
 * measures immediate intake at one point as open reports of one class pile up there (a
 * flooded street, a large event): BENCH_HOTSPOT_REPORTS posts (3,000) at the point with
 * BENCH_HOTSPOT_PILES open cases there first (0, 4,000, 8,000, 12,000). Embedded (PGlite)
 * always; PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { auditCapability } from '../src/audit/index.ts';
import { CASES, casesCapability, OPEN_STATES, reportCase } from '../src/cases/index.ts';
import { identityCapability } from '../src/identity/index.ts';
import type { Kernel, Storage } from '../src/kernel/index.ts';
import { ORG, type OrgServices, orgCapability } from '../src/org/index.ts';
import {
  createParticipationCapability,
  DEFAULT_PARTICIPATION_SETTINGS,
  type IntakeMode,
  PARTICIPATION,
} from '../src/participation/index.ts';
import {
  type BenchResult,
  benchBackends,
  benchCity,
  httpLoad,
  service,
  withBenchStorage,
} from './bench-kit.ts';

export const name = 'open311-intake';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function cityPoint(locate: OrgServices['locate']): { lat: number; lon: number } {
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) if (locate(lat, lon)?.grid) return { lat, lon };
  throw new Error('no point in the demo city');
}

async function numbersUnique(kernel: Kernel): Promise<{ cases: number; unique: boolean }> {
  const rows = await kernel.db.selectFrom('case_record').select('number').execute();
  return { cases: rows.length, unique: new Set(rows.map((r) => r.number)).size === rows.length };
}

/** The platform with Open311 intake in `mode`, listening on a loopback port. */
async function intakeCity(mode: IntakeMode, storage: Storage) {
  const participation = createParticipationCapability({
    settings: {
      ...DEFAULT_PARTICIPATION_SETTINGS,
      intakeMode: mode,
      // One client address sends everything here; the limits are not what is measured.
      ratePerAddressPerMinute: 10_000_000,
      ...(process.env.BENCH_AUTO_QUEUE_ABOVE
        ? { autoQueueAbove: Number(process.env.BENCH_AUTO_QUEUE_ABOVE) }
        : {}),
      ratePerDevicePerMinute: 10_000_000,
      ratePerKeyPerMinute: 10_000_000,
    },
  });
  const built = await benchCity(
    storage,
    [identityCapability, auditCapability, orgCapability, casesCapability, participation],
    'Bench-password-2026',
  );
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  return { participation, built, url };
}

async function measure(mode: IntakeMode, storage: Storage) {
  const { built, url } = await intakeCity(mode, storage);
  const { lat, lon } = cityPoint(built.services(ORG).locate);
  let n = 0;
  const load = await httpLoad({
    url: `${url}/open311/v2/requests.json`,
    method: 'POST',
    connections: 50,
    durationSeconds: SECONDS,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: () => {
      n++;
      // Spread over ~1 km so duplicate search sees realistic neighbours.
      const dLat = ((n * 7919) % 1000) / 100_000;
      const dLon = ((n * 104_729) % 1000) / 100_000;
      return `service_code=CM.E.01.01&lat=${(lat + dLat).toFixed(6)}&long=${(lon + dLon).toFixed(6)}&description=${encodeURIComponent(`路边垃圾堆积 ${n}`)}&device_id=bench-${n % 500}`;
    },
  });
  // Queued intake: what was still waiting when the load stopped, and how long filing it took.
  const backlog =
    mode !== 'immediate'
      ? Number(
          (
            await sql<{
              n: number;
            }>`select count(*)::int as n from participation_report where status in ('queued', 'filing')`.execute(
              built.kernel.db,
            )
          ).rows[0].n,
        )
      : 0;
  const drainStarted = performance.now();
  if (mode !== 'immediate') await built.services(PARTICIPATION).drainQueue();
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const check = await numbersUnique(built.kernel);
  await built.close();
  return { load, check, backlog, drainSeconds };
}

const CATEGORY = 'CM.E.01.01';

/**
 * `count` open copies of a case at its place, numbered on a day long past (19700101…, below
 * every number intake hands out) from `from` on: a pile of reports of its class at one point,
 * written at once. The duplicate probe reads only open cases, their class, place and time.
 */
async function pileUp(kernel: Kernel, caseId: string, from: number, count: number): Promise<void> {
  await sql`
    insert into case_record
    select copy.* from case_record c
    cross join generate_series(${from}::int, ${from + count - 1}::int) g
    cross join jsonb_populate_record(null::case_record, to_jsonb(c) || jsonb_build_object(
      'id', c.id || '-pile-' || g,
      'number', '19700101' || lpad(g::text, 5, '0'),
      'client_request_id', null)) copy
    where c.id = ${caseId}`.execute(kernel.db);
}

/** Open cases of the benchmark's class at a point. */
async function openAt(kernel: Kernel, spot: { lat: number; lon: number }): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from case_record
    where category = ${CATEGORY} and lat = ${spot.lat} and lon = ${spot.lon}
      and state = any(${[...OPEN_STATES]}::text[])`.execute(kernel.db);
  return rows[0].n;
}

/**
 * Immediate intake at one point while open reports of its class pile up there: for each
 * pile, the point is topped up to that many open cases, the tables analyzed (as autovacuum
 * would after so many inserts), then BENCH_HOTSPOT_REPORTS posts go to that point; they join
 * the pile. A warm-up of posts spread over the city comes first.
 */
async function measureHotspot(storage: Storage, piles: number[]) {
  const { built, url } = await intakeCity('immediate', storage);
  const reports = Number(process.env.BENCH_HOTSPOT_REPORTS ?? 3000);
  const base = cityPoint(built.services(ORG).locate);
  const spot = { lat: Number(base.lat.toFixed(6)), lon: Number(base.lon.toFixed(6)) };
  let n = 0;
  const post = (at: () => { lat: number; lon: number }) => () => {
    n++;
    const { lat, lon } = at();
    return `service_code=${CATEGORY}&lat=${lat.toFixed(6)}&long=${lon.toFixed(6)}&description=${encodeURIComponent(`街道积水 ${n}`)}&device_id=bench-${n % 500}`;
  };
  const target = `${url}/open311/v2/requests.json`;
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  // Warm-up away from the spot (over 1 km of the city, as the other cases post).
  await httpLoad({
    url: target,
    method: 'POST',
    connections: 50,
    amount: 1000,
    headers,
    body: post(() => ({
      lat: base.lat + ((n * 7919) % 1000) / 100_000 + 0.002,
      lon: base.lon + ((n * 104_729) % 1000) / 100_000,
    })),
  });
  let copies = 0;
  const phases = [];
  for (const pile of piles) {
    const missing = pile - (await openAt(built.kernel, spot));
    if (missing > 0) {
      const model = await reportCase(built.services(CASES).engine, service('bench:citizen', ['citizen']), {
        channel: 'hotline',
        category: CATEGORY,
        location: spot,
        description: '街道积水',
      });
      await pileUp(built.kernel, model.case.id, copies + 1, missing - 1);
      copies += missing - 1;
    }
    await sql`analyze case_record`.execute(built.kernel.db);
    const before = await openAt(built.kernel, spot);
    const load = await httpLoad({
      url: target,
      method: 'POST',
      connections: 50,
      amount: reports,
      headers,
      body: post(() => spot),
    });
    phases.push({ before, after: await openAt(built.kernel, spot), load });
  }
  const check = await numbersUnique(built.kernel);
  await built.close();
  return { phases, check };
}

export async function run(): Promise<BenchResult[]> {
  const bare = Fastify();
  bare.post('/ping', async () => [{ service_request_id: '1' }]);
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  const ceiling = await httpLoad({
    url: `${bareUrl}/ping`,
    method: 'POST',
    connections: 50,
    durationSeconds: 5,
    headers: { 'content-type': 'application/json' },
    body: () => '{"a":1}',
  });
  await bare.close();
  const ceilingValue = Math.round(ceiling.requestsPerSecond);
  const results: BenchResult[] = [
    {
      name: 'bare Fastify POST, 50 connections',
      value: ceilingValue,
      unit: 'req/s',
      notes: `p99 ${ceiling.p99} ms`,
    },
  ];
  // BENCH_BACKENDS (embedded,postgres) and BENCH_MODES (immediate,queued,auto) narrow the run.
  const pick = (name: string, all: string) => (process.env[name] ?? all).split(',');
  const modes = pick('BENCH_MODES', 'immediate,queued,auto,hotspot');
  for (const backend of benchBackends()) {
    for (const mode of (['immediate', 'queued', 'auto'] as const).filter((m) => modes.includes(m))) {
      const { load, check, backlog, drainSeconds } = await withBenchStorage(backend, (storage) =>
        measure(mode, storage),
      );
      if (!check.unique) throw new Error(`${mode}: duplicate case numbers among ${check.cases} cases`);
      results.push({
        name: `${backend}: Open311 POST requests.json (${mode} intake), 50 connections`,
        value: Math.round(load.requestsPerSecond),
        unit: 'req/s',
        ceiling: { name: 'bare Fastify POST', value: ceilingValue },
        target: '≥ 2,000/s, p99 < 50 ms',
        notes: `p50 ${load.p50} ms, p99 ${load.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}; ${check.cases} cases, numbers unique${
          mode !== 'immediate'
            ? `; ${backlog} reports still queued when the load stopped, filed in ${drainSeconds.toFixed(1)} s after (${Math.round(backlog / Math.max(drainSeconds, 0.001))} cases/s)`
            : ''
        }`,
      });
    }
    if (!modes.includes('hotspot')) continue;
    const piles = pick('BENCH_HOTSPOT_PILES', '0,4000,8000,12000').map(Number);
    const { phases, check } = await withBenchStorage(backend, (storage) => measureHotspot(storage, piles));
    if (!check.unique) throw new Error(`hotspot: duplicate case numbers among ${check.cases} cases`);
    const none = phases[0].load.requestsPerSecond;
    for (const { before, after, load } of phases)
      results.push({
        name: `${backend}: Open311 POST at a hot spot (immediate intake), ${before.toLocaleString('en')} open cases of its class there`,
        value: Math.round(load.requestsPerSecond),
        unit: 'req/s',
        ceiling: { name: 'bare Fastify POST', value: ceilingValue },
        notes: `p50 ${load.p50} ms, p99 ${load.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}; ${after.toLocaleString('en')} open there after; ${((load.requestsPerSecond / none) * 100).toFixed(0)} % of the rate at the first pile`,
      });
  }
  return results;
}
