/**
 * The live stream under load: BENCH_STREAMS (100) open `GET /api/v1/stream` connections of
 * the command center while case transitions run at BENCH_STREAM_RATE (200/s) for
 * BENCH_STREAM_SECONDS (10). Measures the delay from each event's moment (`occurredAt`,
 * taken before its commit) to its frame at every client, and checks that every client got
 * every event once, in increasing order. The ceiling: a bare Node HTTP server writing the
 * same number of frames of the same size to as many connections. The clients run in a
 * worker thread (bench/sse-worker.mjs). Embedded always; PostgreSQL when BENCH_DATABASE_URL
 * or TEST_DATABASE_URL is set.
 */
import { once } from 'node:events';
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { auditCapability } from '../src/audit/index.ts';
import { applyAction, CASES, createCasesCapability, reportCase } from '../src/cases/index.ts';
import { identityCapability } from '../src/identity/index.ts';
import type { Storage } from '../src/kernel/index.ts';
import { orgCapability } from '../src/org/index.ts';
import {
  type BenchResult,
  benchBackends,
  benchCity,
  benchUserToken,
  cityPoints,
  cpuMeter,
  service,
  withBenchStorage,
} from './bench-kit.ts';

export const name = 'stream';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 100);
const RATE = Number(process.env.BENCH_STREAM_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const CATEGORY = 'CM.E.01.01';
const STEPS = ['file', 'dispatch', 'accept', 'handle'] as const;

interface ClientsResult {
  frames: number;
  gaps: number;
  notIncreasing: number;
  minPerConnection: number;
  maxPerConnection: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** Opens `connections` SSE clients in a worker; resolves once every response has begun. */
async function sseClients(url: string, headers: Record<string, string>, connections: number) {
  const worker = new Worker(new URL('./sse-worker.mjs', import.meta.url), {
    workerData: { url, headers, connections },
  });
  await Promise.race([once(worker, 'message'), once(worker, 'error').then(([e]) => Promise.reject(e))]);
  return {
    /** Waits until the clients hold `expected` frames, or got none more for two seconds. */
    async drain(expected: number): Promise<void> {
      let last = -1;
      let still = 0;
      for (;;) {
        worker.postMessage('count');
        const [{ count }] = (await once(worker, 'message')) as [{ count: number }];
        if (count >= expected || still >= 2000) return;
        still = count === last ? still + 100 : 0;
        last = count;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(): Promise<ClientsResult> {
      worker.postMessage('stop');
      const [result] = (await once(worker, 'message')) as [ClientsResult];
      await worker.terminate();
      return result;
    },
  };
}

/** A frame of about the size of the platform's, for the ceiling. */
function bareFrame(seq: number): string {
  const payload = {
    id: `evt-${seq}`,
    type: 'case.dispatched',
    occurredAt: new Date().toISOString(),
    data: {
      caseId: '00000000-0000-4000-8000-000000000000',
      action: 'dispatch',
      from: 'filed',
      to: 'dispatched',
    },
    case: {
      id: '00000000-0000-4000-8000-000000000000',
      number: '2026112900001',
      state: 'dispatched',
      category: CATEGORY,
      light: 'green',
      district: '330102',
      leadDepartment: 'urban-management',
      address: null,
    },
  };
  return `id: ${seq}\nevent: case.dispatched\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** The ceiling: a bare HTTP server fanning out RATE frames a second to STREAMS connections. */
async function bareCeiling(): Promise<ClientsResult & { sent: number }> {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    open.add(res);
    req.on('close', () => open.delete(res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const clients = await sseClients(`http://127.0.0.1:${port}/`, {}, STREAMS);
  let seq = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    while (seq < (RATE * (performance.now() - started)) / 1000) {
      const f = bareFrame(++seq);
      for (const res of open) res.write(f);
    }
  }, 10);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(timer);
  await clients.drain(seq * STREAMS);
  const result = await clients.stop();
  server.closeAllConnections();
  server.close();
  return { ...result, sent: seq };
}

async function onBackend(label: string, storage: Storage, bare: ClientsResult): Promise<BenchResult> {
  const built = await benchCity(storage, [
    identityCapability,
    auditCapability,
    orgCapability,
    createCasesCapability(),
  ]);
  const token = await benchUserToken(built, 'bench.center', ['supervision_operator']);
  const engine = built.services(CASES).engine;
  const citizen = service('bench:citizen', ['citizen']);
  const sup = service('bench:sup', ['supervision_operator']);
  const disp = service('bench:disp', ['dispatcher']);
  const points = cityPoints(engine.deps.locate, 500);
  const needed = Math.ceil((RATE * SECONDS * 1.2) / STEPS.length);
  const ready: Array<{ id: string; version: number; step: number; lead: string | null }> = [];
  for (let k = 0; k < needed; k += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, needed - k) }, async (_, j) => {
        const c = (
          await reportCase(engine, citizen, {
            channel: 'hotline',
            category: CATEGORY,
            location: points[(k + j) % points.length],
            description: 'stream bench',
          })
        ).case;
        ready.push({ id: c.id, version: c.version, step: 0, lead: null });
      }),
    );
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  const { rows } = await sql<{ seq: string }>`select coalesce(max(seq), 0) as seq from case_event`.execute(
    built.kernel.db,
  );
  const startSeq = Number(rows[0].seq);
  const clients = await sseClients(`${url}/api/v1/stream`, { authorization: `Bearer ${token}` }, STREAMS);
  const cpu = cpuMeter();
  let done = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const act = async (c: (typeof ready)[number]) => {
    try {
      const step = STEPS[c.step];
      const who =
        step === 'file'
          ? sup
          : step === 'dispatch'
            ? disp
            : service('bench:dept', ['department_handler'], [c.lead!]);
      const v = await applyAction(engine, who, c.id, step, {
        version: c.version,
        ...(step === 'handle' ? { evidence: ['x.jpg'] } : {}),
      });
      done++;
      if (c.step + 1 < STEPS.length)
        ready.push({ id: c.id, version: v.version, step: c.step + 1, lead: v.leadDepartment });
    } catch {
      failed++;
    }
  };
  const started = performance.now();
  let launched = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsedMs = performance.now() - started;
      if (elapsedMs >= SECONDS * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Paced by the clock, not by ticks: a late tick launches what the rate owes.
      while (launched < (RATE * elapsedMs) / 1000 && ready.length > 0) {
        launched++;
        const p = act(ready.shift()!);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    }, 10);
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const use = cpu?.stop();
  const { rows: after } = await sql<{
    n: string;
  }>`select count(*) as n from case_event where seq > ${startSeq}`.execute(built.kernel.db);
  const events = Number(after[0].n);
  // Stragglers (the hub reads at least once a second) and the clients' own backlog.
  await clients.drain(events * STREAMS);
  const got = await clients.stop();
  await built.close();
  const complete = got.minPerConnection === events && got.maxPerConnection === events;
  return {
    name: `${label}: live stream, ${STREAMS} streams, transitions at ${RATE}/s for ${SECONDS} s`,
    value: got.p99 ?? Number.NaN,
    unit: 'ms p99 from event to client',
    target: 'within a second (< 1,000 ms)',
    notes: `p50 ${got.p50} ms, max ${got.max} ms (the bare fan-out's ceiling: p99 ${bare.p99}, p50 ${bare.p50}, max ${bare.max}); ${done} transitions (${Math.round(done / elapsed)}/s), ${failed} failed; ${events} events × ${STREAMS} streams = ${events * STREAMS} frames expected, ${got.frames} received, every stream got every event: ${complete} (per stream ${got.minPerConnection}–${got.maxPerConnection}); ids not increasing: ${got.notIncreasing}; gap frames: ${got.gaps}${use ? `; whole machine ${use.busyPercent.toFixed(0)} % busy` : ''}`,
  };
}

export async function run(): Promise<BenchResult[]> {
  const bare = await bareCeiling();
  const results: BenchResult[] = [
    {
      name: `bare SSE fan-out, ${STREAMS} connections, ${RATE} frames/s for ${SECONDS} s`,
      value: bare.p99 ?? Number.NaN,
      unit: 'ms p99',
      notes: `p50 ${bare.p50} ms, max ${bare.max} ms; ${bare.sent} frames × ${STREAMS} = ${bare.sent * STREAMS} sent, ${bare.frames} received`,
    },
  ];
  for (const backend of benchBackends())
    results.push(await withBenchStorage(backend, (storage) => onBackend(backend, storage, bare)));
  return results;
}
