/**
 * The load generator of `httpLoad` (bench/bench-kit.ts), run in a worker thread so that
 * autocannon has its own core and does not take CPU from the server it measures. Plain
 * JavaScript: worker threads start without the TypeScript loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const { options, bodies } = workerData;
let next = 0;
// Off the main thread autocannon hands back its raw histograms: aggregate them here.
const opts = {
  ...options,
  ...(bodies && bodies.length > 0
    ? {
        requests: [
          {
            setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
          },
        ],
      }
    : {}),
};
const raw = await autocannon(opts);
const result = autocannon.aggregateResult([raw], opts);
parentPort.postMessage({
  requestsPerSecond: raw.totalCompletedRequests / raw.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
  total: raw.totalCompletedRequests,
  bodiesReused: bodies ? Math.max(0, next - bodies.length) : 0,
});
