/**
 * The ceiling every HTTP benchmark is compared with: a bare Fastify route on this machine,
 * next to OneCity's /healthz (request ids, hooks, logging at warn).
 */
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { createLogger, loadConfig, openStorage } from '../src/kernel/index.ts';
import { type BenchResult, httpLoad, BENCH_ENV } from './bench-kit.ts';

export const name = 'http-ceiling';

export async function run(): Promise<BenchResult[]> {
  const bare = Fastify();
  bare.get('/ping', async () => ({ status: 'ok' }));
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareLoad = await httpLoad({ url: `${bareUrl}/ping`, connections: 50, durationSeconds: 5 });
  await bare.close();

  const storage = await openStorage({ dataDir: null });
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
  });
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  const ours = await httpLoad({ url: `${url}/healthz`, connections: 50, durationSeconds: 5 });
  await built.close();
  await storage.close();

  return [
    {
      name: 'bare Fastify GET, 50 connections',
      value: Math.round(bareLoad.requestsPerSecond),
      unit: 'req/s',
      notes: `p99 ${bareLoad.p99} ms`,
    },
    {
      name: 'OneCity GET /healthz, 50 connections',
      value: Math.round(ours.requestsPerSecond),
      unit: 'req/s',
      ceiling: { name: 'bare Fastify', value: Math.round(bareLoad.requestsPerSecond) },
      notes: `p99 ${ours.p99} ms`,
    },
  ];
}
