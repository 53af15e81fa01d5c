/** Shared pieces of the benchmarks: HTTP load with autocannon, timing, result rows. */
import autocannon from 'autocannon';

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
  /** A request body per request (called for each). */
  body?: () => string;
}

export interface HttpLoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** Runs a bounded autocannon load against a loopback URL. */
export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(options.url))
    throw new Error('Benchmarks only send traffic to loopback addresses.');
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    connections: options.connections ?? 50,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
    headers: options.headers,
    ...(options.body
      ? {
          requests: [
            {
              setupRequest: (req: Record<string, unknown>) => ({ ...req, body: options.body!() }),
            },
          ],
        }
      : {}),
  } as autocannon.Options);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
