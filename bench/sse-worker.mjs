/**
 * The SSE clients of the stream benchmark (bench/stream.bench.ts), in a worker thread so
 * that reading and parsing frames does not take the server's event loop. Opens
 * `connections` streams to `url`, posts `{ ready }` once every response has begun, answers
 * "count" with the frames got so far, and on "stop" posts what the clients got: frames, their delay from the event's `occurredAt`
 * (ms, percentiles), and ids that did not increase (a frame sent twice or out of order).
 * Plain JavaScript: worker threads start without the TypeScript loader.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, headers, connections } = workerData;
const delays = [];
let frames = 0;
let notIncreasing = 0;
let gaps = 0;
const counts = new Array(connections).fill(0);
const requests = [];
let started = 0;

for (let k = 0; k < connections; k++) {
  const req = http.get(url, { headers, agent: false }, (res) => {
    if (res.statusCode !== 200) throw new Error(`stream ${k}: HTTP ${res.statusCode}`);
    res.setEncoding('utf8');
    let buffer = '';
    let last = 0;
    res.on('data', (chunk) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (!id || !data) continue;
        const now = Date.now();
        const payload = JSON.parse(data);
        if (/^event: stream\.gap$/m.test(block)) gaps++;
        else {
          frames++;
          counts[k]++;
          delays.push(now - Date.parse(payload.occurredAt));
        }
        if (Number(id) <= last) notIncreasing++;
        last = Number(id);
      }
    });
    if (++started === connections) parentPort.postMessage({ ready: true });
  });
  req.on('error', () => {});
  requests.push(req);
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

parentPort.on('message', (m) => {
  if (m === 'count') return parentPort.postMessage({ count: frames });
  if (m !== 'stop') return;
  for (const r of requests) r.destroy();
  const sorted = delays.sort((a, b) => a - b);
  parentPort.postMessage({
    frames,
    gaps,
    notIncreasing,
    minPerConnection: Math.min(...counts),
    maxPerConnection: Math.max(...counts),
    p50: pct(sorted, 50) ?? null,
    p99: pct(sorted, 99) ?? null,
    max: sorted.at(-1) ?? null,
  });
});
