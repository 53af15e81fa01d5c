/**
 * HTTP observation ingestion: `POST /api/v1/observations` with batches of 1,000 from 100
 * devices (air-quality stations with their derived AQI, and noise monitors), on the
 * embedded database in a temporary DATA_DIR (and on PostgreSQL when BENCH_DATABASE_URL is
 * set). The ceiling is a raw batched INSERT of the same rows into the same table.
 * `BENCH_NO_NGSI=1` leaves out the NGSI-LD capability, whose projection of every
 * `observation.latest` writes on the same connection, to show the data hub's own rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp, coreCapabilities } from '../src/app.ts';
import { registerDevice } from '../src/datahub/index.ts';
import { createUser, issueApiKey, systemActor } from '../src/identity/index.ts';
import { createLogger, type Db, loadConfig, openStorage, type Storage } from '../src/kernel/index.ts';
import { type BenchResult, httpLoad, BENCH_ENV } from './bench-kit.ts';

export const name = 'ingest-http';

const BATCH = 1000;
const REQUESTS = Number(process.env.BENCH_INGEST_REQUESTS ?? 300);
const CONNECTIONS = 16;

/** Bodies of `REQUESTS` batches, every (datastream, time) distinct. */
function bodies(devices: Array<{ id: string; properties: string[] }>, base: number): string[] {
  const out: string[] = [];
  let tick = 0;
  const pairs = devices.flatMap((d) => d.properties.map((p) => [d.id, p] as const));
  for (let r = 0; r < REQUESTS; r++) {
    const items = [];
    for (let i = 0; i < BATCH; i++) {
      const [device, property] = pairs[(r * BATCH + i) % pairs.length];
      const step = Math.floor((r * BATCH + i) / pairs.length);
      items.push({
        device,
        property,
        time: new Date(base + step * 1000).toISOString(),
        value: 20 + (tick++ % 60),
      });
    }
    out.push(JSON.stringify(items));
  }
  return out;
}

/** The raw ceiling: the same number of rows, 5,000 per multi-row INSERT, one after another. */
async function rawInsert(db: Db, streamIds: number[], rows: number, base: number): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < rows; done += 5000) {
    const n = Math.min(5000, rows - done);
    const ds: number[] = [];
    const ts: string[] = [];
    const vs: number[] = [];
    const qs: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = done + i;
      ds.push(streamIds[k % streamIds.length]);
      ts.push(new Date(base + Math.floor(k / streamIds.length) * 1000).toISOString());
      vs.push(20 + (k % 60));
      qs.push('good');
    }
    await sql`insert into datahub_observation (datastream_id, time, value, quality)
      select * from unnest(${ds}::bigint[], ${ts}::timestamptz[], ${vs}::float8[], ${qs}::text[])
      on conflict (datastream_id, time) do nothing`.execute(db);
  }
  return rows / ((performance.now() - started) / 1000);
}

async function measure(label: string, storage: Storage, dataDir: string): Promise<BenchResult[]> {
  const config = loadConfig({
    env: {
      ...BENCH_ENV,
      DATA_DIR: dataDir,
    },
    file: null,
  });
  const built = await buildApp({
    config,
    storage,
    logger: createLogger({ logLevel: 'warn', logPretty: false }),
    background: false,
    capabilities: process.env.BENCH_NO_NGSI
      ? coreCapabilities.filter((c) => c.name !== 'ngsi-ld')
      : undefined,
  });
  const { kernel } = built;
  const actor = { ...systemActor(kernel.clock.now()), bus: kernel.bus };
  await createUser(
    kernel.db,
    { username: 'bench-ingest', displayName: 'Bench', kind: 'service', roles: ['admin'] },
    actor,
  );
  const { key } = await issueApiKey(
    kernel.db,
    { account: 'bench-ingest', name: 'bench', scopes: ['observation.ingest'] },
    actor,
  );
  const hub = (built.app as unknown as { datahub: Parameters<typeof registerDevice>[1] }).datahub;
  const devices: Array<{ id: string; properties: string[] }> = [];
  for (let i = 0; i < 100; i++) {
    const sensorType = i % 2 ? 'noise-monitor' : 'air-quality-station';
    const id = `bench-${i}`;
    await registerDevice(kernel.db, hub, { id, name: id, sensorType }, actor);
    devices.push({
      id,
      properties:
        sensorType === 'noise-monitor' ? ['laeq', 'laeq_night'] : ['pm25', 'pm10', 'so2', 'no2', 'o3', 'co'],
    });
  }
  const base = Date.now() - 20 * 86_400_000;
  const payloads = bodies(devices, base);
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  let next = 0;
  const started = performance.now();
  const load = await httpLoad({
    url: `${url}/api/v1/observations`,
    method: 'POST',
    connections: CONNECTIONS,
    amount: REQUESTS,
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: () => payloads[next++ % payloads.length],
  });
  const seconds = (performance.now() - started) / 1000;
  const stored = Number(
    (await sql<{ n: number }>`select count(*)::int as n from datahub_observation`.execute(kernel.db)).rows[0]
      .n,
  );
  const ok = load.total - load.non2xx;
  const rate = Math.round((ok * BATCH) / seconds);

  // Ceiling: a fresh set of streams (a device of its own) so no row conflicts with the above.
  await registerDevice(
    kernel.db,
    hub,
    { id: 'bench-raw', name: 'raw', sensorType: 'air-quality-station' },
    actor,
  );
  const rawStreams = (
    await kernel.db
      .selectFrom('datahub_datastream')
      .select('id')
      .where('device_id', '=', 'bench-raw')
      .execute()
  ).map((r) => Number(r.id));
  const ceiling = Math.round(await rawInsert(kernel.db, rawStreams, REQUESTS * BATCH, base));
  await built.close();

  return [
    {
      name: `HTTP batches of ${BATCH}, ${CONNECTIONS} connections, ${label}`,
      value: rate,
      unit: 'obs/s',
      ceiling: { name: 'raw batched INSERT', value: ceiling },
      target: label.startsWith('embedded') ? '≥ 50,000 obs/s' : undefined,
      notes: `p50 ${load.p50} ms, p99 ${load.p99} ms per batch; ${load.non2xx} non-2xx; ${stored} rows stored incl. derived AQI`,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onecity-bench-ingest-'));
  try {
    const storage = await openStorage({ dataDir });
    results.push(...(await measure('embedded (PGlite on disk)', storage, dataDir)));
    await storage.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const pgUrl = process.env.BENCH_DATABASE_URL;
  if (pgUrl) {
    const schema = `bench_${process.pid}`;
    const storage = await openStorage({ databaseUrl: pgUrl, schema, poolSize: 10 });
    try {
      results.push(...(await measure('PostgreSQL', storage, os.tmpdir())));
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(storage.db);
      await storage.close();
    }
  }
  return results;
}
