/**
 * Open311 POST intake at 50 connections (docs/design.md#performance-targets: ≥ 2,000/s, p99 < 50 ms), beside
 * the bare-Fastify ceiling, in the three intake modes: `immediate` (the case is created
 * inside the POST and its number returned), `queued` (the report is group-committed and a
 * token returned; the worker files cases behind, giving way to posts while they arrive) and
 * `auto`, the default (immediate while few are being filed, queued beyond). After each run
 * the backlog is filed and every case number is checked to be unique. Embedded (PGlite) always; PostgreSQL too when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is set.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { auditCapability } from '../src/audit/index.ts';
import { casesCapability } from '../src/cases/index.ts';
import { identityCapability } from '../src/identity/index.ts';
import type { Kernel, Storage } from '../src/kernel/index.ts';
import { locatePoint, orgCapability } from '../src/org/index.ts';
import {
  createParticipationCapability,
  DEFAULT_PARTICIPATION_SETTINGS,
  type IntakeMode,
} from '../src/participation/index.ts';
import { type BenchResult, benchBackends, benchCity, httpLoad, withBenchStorage } from './bench-kit.ts';

export const name = 'open311-intake';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function cityPoint(): { lat: number; lon: number } {
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) if (locatePoint(lat, lon)?.grid) return { lat, lon };
  throw new Error('no point in the demo city');
}

async function numbersUnique(kernel: Kernel): Promise<{ cases: number; unique: boolean }> {
  const rows = await kernel.db.selectFrom('case_record').select('number').execute();
  return { cases: rows.length, unique: new Set(rows.map((r) => r.number)).size === rows.length };
}

async function measure(mode: IntakeMode, storage: Storage) {
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
  const { lat, lon } = cityPoint();
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
  if (mode !== 'immediate') await participation.drainQueue(built.kernel);
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const check = await numbersUnique(built.kernel);
  await built.close();
  return { load, check, backlog, drainSeconds };
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
  for (const backend of benchBackends())
    for (const mode of (['immediate', 'queued', 'auto'] as const).filter((m) =>
      pick('BENCH_MODES', 'immediate,queued,auto').includes(m),
    )) {
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
  return results;
}
