/**
 * NGSI-LD (docs/design.md#performance-targets): entity creation rate over HTTP — single `POST /entities` and
 * batch `POST /entityOperations/upsert` of 1,000 — and `GET /entities?type=…&q=…` over
 * 100,000 entities (p50/p95 of sequential requests, and under 10 connections), each beside
 * the bare Fastify ceiling on this machine. Embedded storage (PGlite), history on.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { auditCapability } from '../src/audit/index.ts';
import { buildApp } from '../src/app.ts';
import { createIdentityCapability, createUser, issueApiKey, systemActor } from '../src/identity/index.ts';
import { createLogger, loadConfig, openStorage } from '../src/kernel/index.ts';
import { createNgsiLdCapability, NGSI_LD } from '../src/ngsi-ld/index.ts';
import { BENCH_ENV, type BenchResult, httpLoad, percentile } from './bench-kit.ts';

export const name = 'ngsi-ld';

const TYPES = ['AirSensor', 'NoiseSensor', 'WaterSensor', 'LightSensor'];
const TOTAL = 100_000;

function entity(i: number, prefix: string) {
  return {
    id: `urn:ngsi-ld:${TYPES[i % TYPES.length]}:${prefix}${i}`,
    type: TYPES[i % TYPES.length],
    temperature: { type: 'Property', value: Math.floor(i / 4) % 41, unitCode: 'CEL' },
    status: { type: 'Property', value: i % 10 === 0 ? 'fault' : 'ok' },
    location: {
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [120 + (i % 1000) / 1000, 30 + (i % 997) / 1000] },
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  // Ceiling: a bare Fastify route taking a JSON body, and one answering a GET.
  const bare = Fastify();
  bare.post('/echo', async (req, reply) => reply.status(201).send({ ok: !!req.body }));
  bare.get('/ping', async () => [{ id: 'x' }]);
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  const bodyOne = JSON.stringify(entity(0, 'c'));
  const barePost = await httpLoad({
    url: `${bareUrl}/echo`,
    method: 'POST',
    connections: 50,
    durationSeconds: 5,
    headers: { 'content-type': 'application/json' },
    body: () => bodyOne,
  });
  const bareGet = await httpLoad({ url: `${bareUrl}/ping`, connections: 10, durationSeconds: 3 });
  await bare.close();

  // BENCH_DATABASE_URL runs the same benchmark on PostgreSQL (in a throwaway schema).
  const pgUrl = process.env.BENCH_DATABASE_URL;
  const schema = `bench_ngsi_${process.pid}`;
  const storage = await openStorage(pgUrl ? { databaseUrl: pgUrl, schema, poolSize: 10 } : { dataDir: null });
  const config = loadConfig({
    env: {
      ...BENCH_ENV,
    },
    file: null,
  });
  const built = await buildApp({
    config,
    storage,
    logger: createLogger({ logLevel: 'warn', logPretty: false }),
    background: false,
    capabilities: [createIdentityCapability(), auditCapability, createNgsiLdCapability()],
  });
  const actor = systemActor(new Date());
  await createUser(
    built.kernel.db,
    { username: 'bench', displayName: 'bench', kind: 'service', roles: ['admin'] },
    actor,
  );
  const { key } = await issueApiKey(
    built.kernel.db,
    { account: 'bench', name: 'bench', scopes: ['device.read', 'device.write'] },
    actor,
  );
  const base = `${await built.app.listen({ port: 0, host: '127.0.0.1' })}/ngsi-ld/v1`;
  const headers = { 'content-type': 'application/json', 'x-api-key': key };

  // Single creates, 50 connections.
  let n = 0;
  const single = await httpLoad({
    url: `${base}/entities`,
    method: 'POST',
    connections: 50,
    durationSeconds: 5,
    headers,
    body: () => JSON.stringify(entity(n++, 's')),
  });

  // Batch upserts of 1,000, 4 connections.
  let b = 0;
  const batch = await httpLoad({
    url: `${base}/entityOperations/upsert`,
    method: 'POST',
    connections: 4,
    durationSeconds: 5,
    bodyCount: 200,
    headers,
    body: () => {
      const start = b;
      b += 1000;
      return JSON.stringify(Array.from({ length: 1000 }, (_, k) => entity(start + k, 'b')));
    },
  });

  // Fill to 100,000 entities with batch upserts through the service (same code path).
  const broker = built.services(NGSI_LD);
  const ctx = broker.resolver.core;
  let have = (await broker.entities.query({ idPattern: '.*', limit: 0, offset: 0, count: true })).count ?? 0;
  let f = 0;
  while (have < TOTAL) {
    const size = Math.min(1000, TOTAL - have);
    const r = await broker.entities.batchUpsert(
      Array.from({ length: size }, (_, k) => ({ raw: entity(f + k, 'f'), ctx })),
      'replace',
    );
    f += size;
    have += r.created.length;
  }
  await sql`analyze ngsi_ld_entity`.execute(built.kernel.db);

  // Query by type + q: sequential latencies, then 10 connections.
  const q = encodeURIComponent('temperature>30;status=="fault"');
  const queryUrl = `${base}/entities?type=AirSensor&q=${q}&limit=20`;
  const latencies: number[] = [];
  let matched = 0;
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const res = await fetch(queryUrl, { headers: { 'x-api-key': key } });
    const body = (await res.json()) as unknown[];
    latencies.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`query answered ${res.status}`);
    matched = body.length;
  }
  const countUrl = `${base}/entities?type=AirSensor&q=${q}&count=true&limit=20`;
  const countLat: number[] = [];
  let total = 0;
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const res = await fetch(countUrl, { headers: { 'x-api-key': key } });
    await res.arrayBuffer();
    countLat.push(performance.now() - t0);
    total = Number(res.headers.get('ngsild-results-count'));
  }
  const loaded = await httpLoad({
    url: queryUrl,
    connections: 10,
    durationSeconds: 5,
    headers: { 'x-api-key': key },
  });
  await built.close();
  if (pgUrl) await sql`drop schema ${sql.id(schema)} cascade`.execute(storage.db);
  await storage.close();
  const engine = pgUrl ? 'PostgreSQL' : 'PGlite';

  const r1 = (x: number) => Math.round(x * 10) / 10;
  return [
    {
      name: 'bare Fastify POST (JSON body), 50 connections',
      value: Math.round(barePost.requestsPerSecond),
      unit: 'req/s',
      notes: `p99 ${barePost.p99} ms`,
    },
    {
      name: `POST /ngsi-ld/v1/entities (one entity per request), 50 connections, ${engine}`,
      value: Math.round(single.requestsPerSecond),
      unit: 'entities/s',
      ceiling: { name: 'bare Fastify POST', value: Math.round(barePost.requestsPerSecond) },
      target: '≥ 2,000 / s',
      notes: `p99 ${single.p99} ms, non-2xx ${single.non2xx}`,
    },
    {
      name: `POST /ngsi-ld/v1/entityOperations/upsert (1,000 per request), 4 connections, ${engine}`,
      value: Math.round(batch.requestsPerSecond * 1000),
      unit: 'entities/s',
      target: '≥ 2,000 / s',
      notes: `${r1(batch.requestsPerSecond)} batches/s, p99 ${batch.p99} ms, non-2xx ${batch.non2xx}`,
    },
    {
      name: `GET /entities?type=AirSensor&q=temperature>30;status=="fault" over ${TOTAL.toLocaleString('en')} entities, p95 sequential, ${engine}`,
      value: r1(percentile(latencies, 95)),
      unit: 'ms',
      target: 'p95 < 50 ms',
      notes: `p50 ${r1(percentile(latencies, 50))} ms, ${matched} entities per page`,
    },
    {
      name: 'same query with count=true, p95 sequential',
      value: r1(percentile(countLat, 95)),
      unit: 'ms',
      notes: `p50 ${r1(percentile(countLat, 50))} ms, ${total} matching`,
    },
    {
      name: 'same query, 10 connections',
      value: Math.round(loaded.requestsPerSecond),
      unit: 'req/s',
      ceiling: { name: 'bare Fastify GET', value: Math.round(bareGet.requestsPerSecond) },
      notes: `p50 ${loaded.p50} ms, p99 ${loaded.p99} ms`,
    },
  ];
}
