/** Shared pieces of the benchmarks: HTTP load with autocannon, timing, result rows. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { buildApp, type OneCityApp } from '../src/app.ts';
import { type Capability, createLogger, loadConfig, openStorage, type Storage } from '../src/kernel/index.ts';
import { createUser, type Principal, systemActor } from '../src/identity/index.ts';
import { seedDemoCity } from '../src/org/index.ts';

/**
 * The settings every benchmark's platform runs with: quiet logs, no demo city, and no request
 * rate limit (the benchmarks send thousands of requests a second with a few tokens and
 * measure the platform, not the limit).
 */
export const BENCH_ENV = {
  LOG_LEVEL: 'warn',
  ONECITY_SEED_DEMO: 'false',
  RATE_LIMIT_PER_MINUTE: '0',
  RATE_LIMIT_SERVICE_PER_MINUTE: '0',
} as const;

/** One measured figure. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The ceiling this figure is measured under, when there is one. */
  ceiling?: { name: string; value: number };
  target?: string;
  notes?: string;
}

export interface HttpLoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  connections?: number;
  durationSeconds?: number;
  amount?: number;
  headers?: Record<string, string>;
  /** A request body per request (called beforehand for each request the run may send). */
  body?: () => string;
  /** How many bodies to prepare when they are large (default: enough for 12,000 requests/s). */
  bodyCount?: number;
}

export interface HttpLoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** Requests that were sent a body already sent once (the prepared bodies ran out). */
  bodiesReused: number;
}

/**
 * Runs a bounded autocannon load against a loopback URL. The load generator runs in a
 * worker thread (bench/load-worker.mjs) so that it does not share the server's event loop
 * or core; request bodies are made beforehand (enough for the run at 12,000 requests/s, then
 * reused in turn, which the result reports).
 */
export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(options.url))
    throw new Error('Benchmarks only send traffic to loopback addresses.');
  const count = options.bodyCount ?? options.amount ?? (options.durationSeconds ?? 5) * 12_000;
  const bodies = options.body ? Array.from({ length: count }, () => options.body!()) : null;
  const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
    workerData: {
      options: {
        url: options.url,
        method: options.method ?? 'GET',
        connections: options.connections ?? 50,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
        headers: options.headers,
      },
      bodies,
    },
  });
  const [result] = (await once(worker, 'message')) as [HttpLoadResult];
  await worker.terminate();
  return result;
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * What the whole machine's CPUs did over a stretch of time (Linux `/proc/stat`): every
 * process counts, this one's and the database's and any other on the machine.
 */
export interface CpuUse {
  /** Share of all cores that was busy, in percent. */
  busyPercent: number;
  /** CPU time used on all cores, in milliseconds (server, database and load generator alike). */
  busyMs: number;
  cores: number;
}

/**
 * Starts measuring the machine's CPU use; `stop()` tells how busy every core was since. A
 * figure per unit of work (CPU milliseconds per case) shows the ceiling that the cores put on
 * the work at its current cost. Null where `/proc/stat` does not exist.
 */
export function cpuMeter(): { stop(): CpuUse } | null {
  const read = (): number[] | null => {
    try {
      const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
      return line.trim().split(/\s+/).slice(1).map(Number);
    } catch {
      return null;
    }
  };
  const start = read();
  if (!start) return null;
  const ticksPerSecond = 100; // USER_HZ on Linux
  return {
    stop() {
      const end = read() ?? start;
      const d = end.map((v, i) => v - start[i]);
      // user nice system idle iowait irq softirq (steal, time the hypervisor gave to other
      // machines, is neither ours nor idle: left out)
      const idle = d[3] + d[4];
      const busy = d[0] + d[1] + d[2] + d[5] + d[6];
      return {
        busyPercent: (100 * busy) / Math.max(1, busy + idle),
        busyMs: (busy * 1000) / ticksPerSecond,
        cores: availableParallelism(),
      };
    },
  };
}

/**
 * Profiles this thread's CPU while `f` runs when BENCH_CPUPROF names a directory: the
 * measured stretch only, without the setup around it, written to `<dir>/<name>.cpuprofile`
 * (open it in Chrome DevTools). Without BENCH_CPUPROF it only runs `f`.
 */
export async function profiled<T>(name: string, f: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPUPROF;
  if (!dir) return f();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await f();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.cpuprofile`), JSON.stringify(profile));
  }
}

/** PostgreSQL of the storage benchmarks: BENCH_DATABASE_URL, else TEST_DATABASE_URL. */
export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

export type BenchBackend = 'embedded' | 'PostgreSQL';

/**
 * The engines a storage benchmark runs on: embedded always, PostgreSQL when BENCH_PG_URL is
 * set; BENCH_BACKENDS=embedded or =postgres runs one of them only.
 */
export function benchBackends(): BenchBackend[] {
  const wanted = (process.env.BENCH_BACKENDS ?? 'embedded,postgres').split(',');
  const out: BenchBackend[] = [];
  if (wanted.includes('embedded')) out.push('embedded');
  if (BENCH_PG_URL && wanted.includes('postgres')) out.push('PostgreSQL');
  return out;
}

/**
 * Runs a benchmark once per engine, each in a process of its own, and gathers their figures
 * (`npm run bench <name>` with BENCH_BACKENDS set to one engine, its table on stderr passed
 * through). Measured one after the other in one process, the second engine ran in the first
 * one's leftovers: its heap, and the embedded database's memory until the collector freed it
 * (PostgreSQL intake's p99 much longer there: docs/benchmarks-log.md, 2026-11-29 10:19).
 * Inside such a process (BENCH_ONE_ENGINE set), or with one engine wanted, runs `inProcess`.
 */
export async function perEngineProcess(
  benchName: string,
  inProcess: (backend: BenchBackend) => Promise<BenchResult[]>,
): Promise<BenchResult[]> {
  const backends = benchBackends();
  const results: BenchResult[] = [];
  if (process.env.BENCH_ONE_ENGINE || backends.length < 2) {
    for (const backend of backends) results.push(...(await inProcess(backend)));
    return results;
  }
  for (const backend of backends) {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', path.join(import.meta.dirname, 'run.ts'), benchName, '--json', '--quiet'],
        {
          env: {
            ...process.env,
            BENCH_ONE_ENGINE: '1',
            BENCH_BACKENDS: backend === 'embedded' ? 'embedded' : 'postgres',
          },
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
      child.stderr?.pipe(process.stderr);
    });
    // The JSON document is the output's last part (the platform may print before it).
    const start = stdout.startsWith('{') ? 0 : stdout.lastIndexOf('\n{\n') + 1;
    results.push(...(JSON.parse(stdout.slice(start)) as { results: BenchResult[] }).results);
  }
  return results;
}

/**
 * Runs `f` on fresh storage and clears it after: embedded in memory (or, `onDisk`, in a
 * temporary directory), PostgreSQL in a schema of its own that is dropped.
 */
export async function withBenchStorage<T>(
  backend: BenchBackend,
  f: (storage: Storage) => Promise<T>,
  options: { onDisk?: boolean } = {},
): Promise<T> {
  if (backend === 'embedded') {
    const dir = options.onDisk ? mkdtempSync(path.join(tmpdir(), 'onecity-bench-')) : null;
    const storage = await openStorage({ dataDir: dir });
    try {
      return await f(storage);
    } finally {
      await storage.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!BENCH_PG_URL) throw new Error('PostgreSQL benchmarks need BENCH_DATABASE_URL or TEST_DATABASE_URL');
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const storage = await openStorage({ databaseUrl: BENCH_PG_URL, schema, poolSize: 10 });
  try {
    return await f(storage);
  } finally {
    await storage.close();
    const client = new pg.Client({ connectionString: BENCH_PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}

/** The platform with `capabilities` on `storage`, quiet, no background work, and the demo city. */
export async function benchCity(
  storage: Storage,
  capabilities: Capability[],
  password = 'Bench-password-2026!',
): Promise<OneCityApp> {
  const built = await buildApp({
    config: loadConfig({
      env: {
        ...BENCH_ENV,
      },
      file: null,
    }),
    storage,
    logger: createLogger({ logLevel: 'warn', logPretty: false }),
    background: false,
    capabilities,
  });
  await seedDemoCity(built, { seed: 1, password });
  return built;
}

/** A service principal for in-process calls of the case engine. */
export const service = (
  id: string,
  roles: Principal['roles'],
  departmentCodes: string[] = [],
): Principal => ({
  kind: 'service',
  id,
  username: id,
  roles,
  departmentCodes,
  divisionCodes: [],
});

/** `n` points in the city's grids on a lattice of about 790 × 650 m, or on the lattice shifted by half a step. */
export function cityPoints(
  locate: (lat: number, lon: number) => { grid?: unknown } | null,
  n: number,
  shifted = false,
): Array<{ lat: number; lon: number }> {
  const out: Array<{ lat: number; lon: number }> = [];
  const [lat0, lon0] = shifted ? [30.00355, 119.80335] : [30.0, 119.8];
  for (let lat = lat0; lat < 30.6 && out.length < n; lat += 0.0071)
    for (let lon = lon0; lon < 120.6 && out.length < n; lon += 0.0067)
      if (locate(lat, lon)?.grid) out.push({ lat, lon });
  return out;
}

/** Creates a user with `roles` in the bench city and returns its bearer token. */
export async function benchUserToken(
  built: OneCityApp,
  username: string,
  roles: Principal['roles'],
  password = 'Bench-password-2026!',
): Promise<string> {
  await createUser(
    built.kernel.db,
    { username, displayName: username, password, roles },
    systemActor(new Date()),
  );
  const login = await built.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  return login.json().token as string;
}
