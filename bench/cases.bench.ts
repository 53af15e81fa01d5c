/**
 * Case intake over HTTP (POST /api/v1/cases, 50 connections) and case transitions
 * (file → dispatch → accept → handle, through `applyAction`), each beside its ceiling: a
 * bare Fastify POST route for intake, a raw batched insert into the same database for
 * transitions. Embedded (PGlite, on disk as `npm start` runs it; BENCH_IN_MEMORY=1 for
 * memory) always; PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, each
 * engine in a process of its own. The city holds BENCH_CASES_PRIOR earlier cases (default
 * 20,000) and current statistics before the measured runs; the transitions take
 * BENCH_TRANSITION_CASES fresh cases (default 1,000: 4,000 transitions). After each run:
 * numbers are unique and the audit chain holds.
 */
import Fastify from 'fastify';
import { type Generated, sql } from 'kysely';
import { auditCapability, verifyAuditChain } from '../src/audit/index.ts';
import {
  applyAction,
  type CaseView,
  CASES,
  type CaseEngine,
  createCasesCapability,
  intakeBatcher,
  reportCase,
} from '../src/cases/index.ts';
import { identityCapability, type Principal } from '../src/identity/index.ts';
import type { Storage } from '../src/kernel/index.ts';
import { orgCapability } from '../src/org/index.ts';
import {
  type BenchResult,
  benchCity,
  benchUserToken,
  cityPoints,
  type CpuUse,
  cpuMeter,
  httpLoad,
  perEngineProcess,
  profiled,
  service,
  withBenchStorage,
} from './bench-kit.ts';

export const name = 'cases';

const CATEGORY = 'CM.E.01.01';
async function bareCeiling(body: string): Promise<{ rps: number; p99: number }> {
  const bare = Fastify();
  bare.post('/echo', async (req) => ({ ok: true, size: JSON.stringify(req.body).length }));
  const url = await bare.listen({ port: 0, host: '127.0.0.1' });
  const load = await httpLoad({
    url: `${url}/echo`,
    method: 'POST',
    connections: 50,
    durationSeconds: 5,
    headers: { 'content-type': 'application/json' },
    body: () => body,
  });
  await bare.close();
  return { rps: Math.round(load.requestsPerSecond), p99: load.p99 };
}

async function onBackend(
  label: string,
  storage: Storage,
  bare: { rps: number; p99: number },
): Promise<BenchResult[]> {
  const built = await benchCity(storage, [
    identityCapability,
    auditCapability,
    orgCapability,
    createCasesCapability(),
  ]);
  const token = await benchUserToken(built, 'bench.citizen', ['citizen']);
  const engine = built.services(CASES).engine;
  const points = cityPoints(engine.deps.locate, 500);
  const citizen = service('bench:citizen', ['citizen']);
  // A city at work, not a fresh install: it already holds cases, and the tables' statistics
  // know them. Measured on empty tables, PostgreSQL plans from no statistics at all for the
  // whole run (autovacuum looks once a minute), which no city lives with past its first minute.
  // The earlier cases are of the other minor classes and lie between the measured reports'
  // points (the lattice shifted by half a step, 320–400 m away, beyond the 50 m duplicate
  // radius), so that a measured report meets as many open neighbours as before: a dozen of
  // its own class, already a dense street corner. Stacked on the same 500 points, the
  // 20,000 (still open) would put 40 more open cases at each one, and the duplicate probe
  // reads every open case in its box whatever its class.
  const prior = Number(process.env.BENCH_CASES_PRIOR ?? 20_000);
  const others = built.kernel.modules
    .categories()
    .filter((c) => c.parent && c.code !== CATEGORY && !c.autoDispatch)
    .map((c) => c.code);
  if (prior > 0 && others.length === 0)
    throw new Error('No other minor class to report the earlier cases in.');
  await reportPriorCases(engine, citizen, cityPoints(engine.deps.locate, 2000, true), others, prior);
  await sql`analyze`.execute(built.kernel.db);
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  let i = 0;
  const body = () =>
    JSON.stringify({
      channel: 'app',
      category: CATEGORY,
      location: points[i++ % points.length],
      description: 'Garbage piled up by the bus stop',
      reporter: { name: '张三', phone: '13812341234', consent: true },
    });
  const batchesBefore = intakeBatcher(built.services(CASES).engine).batches;
  const intakeCpu = cpuMeter();
  const intake = await profiled(`${label}-intake`, () =>
    httpLoad({
      url: `${url}/api/v1/cases`,
      method: 'POST',
      connections: 50,
      durationSeconds: 5,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    }),
  );

  const intakeCpuUse = intakeCpu?.stop();
  const intakeBatches = intakeBatcher(built.services(CASES).engine).batches - batchesBefore;
  // Transitions: N fresh cases taken file → dispatch → accept → handle, 50 at a time.
  const N = Number(process.env.BENCH_TRANSITION_CASES ?? 1000);
  const cases: CaseView[] = [];
  for (let k = 0; k < N; k += 50)
    for (const r of await Promise.all(
      Array.from({ length: Math.min(50, N - k) }, (_, j) =>
        reportCase(engine, citizen, {
          channel: 'hotline',
          category: CATEGORY,
          location: points[(k + j) % points.length],
          description: 'bench',
        }),
      ),
    ))
      cases.push(r.case);
  const sup = service('bench:sup', ['supervision_operator']);
  const disp = service('bench:disp', ['dispatcher']);
  let transitions = 0;
  let failures = 0;
  const transitionCpu = cpuMeter();
  const started = performance.now();
  const worker = async (slice: typeof cases) => {
    for (const c0 of slice) {
      try {
        let c = await applyAction(engine, sup, c0.id, 'file', { version: c0.version });
        c = await applyAction(engine, disp, c.id, 'dispatch', { version: c.version });
        const dept = service('bench:dept', ['department_handler'], [c.leadDepartment!]);
        c = await applyAction(engine, dept, c.id, 'accept', { version: c.version });
        await applyAction(engine, dept, c.id, 'handle', { version: c.version, evidence: ['x.jpg'] });
        transitions += 4;
      } catch {
        failures++;
      }
    }
  };
  const slices = Array.from({ length: 50 }, (_, w) => cases.filter((_, k) => k % 50 === w));
  await profiled(`${label}-transitions`, () => Promise.all(slices.map(worker)));
  const transitionsPerSecond = transitions / ((performance.now() - started) / 1000);
  const transitionCpuUse = transitionCpu?.stop();

  // Ceiling: raw batched inserts of rows like history rows into the same database.
  const db = built.kernel.db;
  await sql`create table bench_raw (id bigserial primary key, case_id text, action text, at timestamptz, params jsonb)`.execute(
    db,
  );
  const rows = 20_000;
  const rawStart = performance.now();
  for (let k = 0; k < rows; k += 1000)
    await db
      .withTables<{
        bench_raw: { id: Generated<number>; case_id: string; action: string; at: Date; params: string };
      }>()
      .insertInto('bench_raw')
      .values(
        Array.from({ length: 1000 }, (_, j) => ({
          case_id: `c${k + j}`,
          action: 'file',
          at: new Date(),
          params: '{}',
        })),
      )
      .execute();
  const rawPerSecond = rows / ((performance.now() - rawStart) / 1000);

  const numbers = await db
    .selectFrom('case_record')
    .select([(eb) => eb.fn.countAll().as('n'), sql<number>`count(distinct number)`.as('d')])
    .executeTakeFirstOrThrow();
  const chain = (await verifyAuditChain(db)) as { ok: boolean };
  await built.close();
  const before = `after ${prior} earlier cases of ${others.length} other classes`;
  const checks = `numbers unique: ${Number(numbers.n) === Number(numbers.d)} (${numbers.n} cases); audit chain ok: ${chain.ok}`;
  return [
    {
      name: `${label}: case intake over HTTP, 50 connections`,
      value: Math.round(intake.requestsPerSecond),
      unit: 'cases/s',
      ceiling: { name: 'bare Fastify POST', value: bare.rps },
      target: '≥ 2,000/s, p99 < 50 ms',
      notes: `${before}; p99 ${intake.p99} ms (bare ${bare.p99} ms), non-2xx ${intake.non2xx}, errors ${intake.errors}; ${intake.total} cases in ${intakeBatches} transactions; ${cpuNote(intakeCpuUse, intake.total, 'case')}; ${checks}`,
    },
    {
      name: `${label}: case transitions (file, dispatch, accept, handle), 50 concurrent`,
      value: Math.round(transitionsPerSecond),
      unit: 'transitions/s',
      ceiling: { name: 'raw batched insert (rows/s)', value: Math.round(rawPerSecond) },
      target: '≥ 2,000/s',
      notes: `${before} and the intake run; ${transitions} transitions, ${failures} failed cases; ${cpuNote(transitionCpuUse, transitions, 'transition')}`,
    },
  ];
}

/** `count` reports through the intake path, 50 at a time, spread over `points` and `categories`. */
async function reportPriorCases(
  engine: CaseEngine,
  citizen: Principal,
  points: Array<{ lat: number; lon: number }>,
  categories: string[],
  count: number,
): Promise<void> {
  for (let k = 0; k < count; k += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - k) }, (_, j) =>
        reportCase(engine, citizen, {
          channel: 'hotline',
          category: categories[(k + j) % categories.length],
          location: points[(k + j) % points.length],
          description: 'earlier report',
        }),
      ),
    );
}

/** The machine's CPU use per unit of work, and the rate the cores allow at that cost. */
function cpuNote(use: CpuUse | undefined, units: number, unit: string): string {
  if (!use || units === 0 || use.busyMs === 0) return 'CPU use not measured (no /proc/stat)';
  const perUnit = use.busyMs / units;
  return `whole machine ${use.busyPercent.toFixed(0)} % busy, ${perUnit.toFixed(2)} ms CPU per ${unit} on all cores (server, database${unit === 'case' ? ', load generator' : ''}): at that cost ${use.cores} cores allow at most ${Math.round((use.cores * 1000) / perUnit)}/s`;
}

export async function run(): Promise<BenchResult[]> {
  const sample = JSON.stringify({
    channel: 'app',
    category: CATEGORY,
    location: { lat: 30.25, lon: 120.1 },
    description: 'Garbage piled up by the bus stop',
    reporter: { name: '张三', phone: '13812341234', consent: true },
  });
  // Embedded on disk, as `npm start` runs it (DATA_DIR); BENCH_IN_MEMORY=1 for PGlite in memory.
  const onDisk = process.env.BENCH_IN_MEMORY !== '1';
  return perEngineProcess(name, async (backend) => {
    const bare = await bareCeiling(sample);
    return withBenchStorage(backend, (storage) => onBackend(backend, storage, bare), { onDisk });
  });
}
