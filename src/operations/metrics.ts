/**
 * The figures an operator watches, in the Prometheus text exposition format (0.0.4):
 * the process, HTTP traffic, the case loop, the scheduler, the data hub, live streams and
 * the audit log. Process and HTTP figures are this node's own and cost nothing to read;
 * the database figures are a handful of indexed counts, taken at most once per
 * `METRICS_CACHE_SECONDS` (5) whatever the number of scrapers. Every metric is described in
 * docs/operations.md, with what to alert on.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { OPEN_STATES } from '../cases/index.ts';
import type { Kernel } from '../kernel/index.ts';

/** This node's figures held by other capabilities, when the app has them. */
export interface MetricsSources {
  /** Live case streams open (the cases capability). */
  liveStreamsOpen?: () => number;
  /** Observations stored since start and rows waiting (the data hub). */
  ingestion?: () => { stored: number; queued: number };
}

/** Upper bounds (seconds) of the request latency histogram's buckets. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

/** A label value escaped as the exposition format requires. */
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const number = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

/** Writes metric families: `# HELP`, `# TYPE`, then samples. */
class Exposition {
  readonly lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string) {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, value: number, labels: Labels = {}) {
    this.lines.push(`${name}${labelText(labels)} ${number(value)}`);
    return this;
  }
  /** A family of one unlabelled sample. */
  single(name: string, type: 'counter' | 'gauge', help: string, value: number) {
    return this.family(name, type, help).sample(name, value);
  }
  text() {
    return `${this.lines.join('\n')}\n`;
  }
}

interface RouteFigures {
  /** Count per status code. */
  statuses: Map<number, number>;
  /** Count per bucket (same order as LATENCY_BUCKETS), not cumulative. */
  buckets: number[];
  count: number;
  sum: number;
}

/** Requests by route template, method and status, and their latency, on this node. */
export class HttpFigures {
  readonly #routes = new Map<string, RouteFigures>();

  /** Records one answered request; `route` is the template (`/api/v1/cases/:id`), never the URL. */
  observe(method: string, route: string, status: number, seconds: number) {
    const key = `${method} ${route}`;
    let r = this.#routes.get(key);
    if (!r) {
      r = { statuses: new Map(), buckets: LATENCY_BUCKETS.map(() => 0), count: 0, sum: 0 };
      this.#routes.set(key, r);
    }
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    const i = LATENCY_BUCKETS.findIndex((le) => seconds <= le);
    if (i >= 0) r.buckets[i]++;
    r.count++;
    r.sum += seconds;
  }

  write(out: Exposition) {
    const routes = [...this.#routes.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const split = (key: string) => {
      const at = key.indexOf(' ');
      return { method: key.slice(0, at), route: key.slice(at + 1) };
    };
    out.family(
      'onecity_http_requests_total',
      'counter',
      'HTTP requests answered, by method, route and status',
    );
    for (const [key, r] of routes)
      for (const [status, n] of [...r.statuses].sort(([a], [b]) => a - b))
        out.sample('onecity_http_requests_total', n, { ...split(key), status: String(status) });
    out.family(
      'onecity_http_request_duration_seconds',
      'histogram',
      'Time from receiving a request to sending its answer, by method and route',
    );
    for (const [key, r] of routes) {
      const labels = split(key);
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += r.buckets[i];
        out.sample('onecity_http_request_duration_seconds_bucket', cumulative, { ...labels, le: String(le) });
      });
      out.sample('onecity_http_request_duration_seconds_bucket', r.count, { ...labels, le: '+Inf' });
      out.sample('onecity_http_request_duration_seconds_sum', r.sum, labels);
      out.sample('onecity_http_request_duration_seconds_count', r.count, labels);
    }
  }
}

/** The figures read from the database (shared by every node on PostgreSQL). */
interface DatabaseFigures {
  openByState: Record<string, number>;
  overdue: number;
  intakeQueue: number;
  jobsDue: number;
  oldestDueSeconds: number;
  jobsFailed: number;
  deadLetters: number;
  devicesOffline: number;
  auditHeadSeq: number;
}

const OPEN_STATE_LIST = sql.join(OPEN_STATES.map((s) => sql.lit(s)));

async function readDatabaseFigures(kernel: Kernel): Promise<DatabaseFigures> {
  const now = kernel.clock.now();
  const db = kernel.db;
  // One statement: one round trip, one snapshot. Each count rides an index (case_record's
  // state index for the open cases, kernel_job's partial indexes, participation_report's
  // queue index); the rest are small tables or a primary key.
  const row = (
    await sql<{
      by_state: Record<string, number> | null;
      overdue: number;
      intake_queue: number;
      jobs_due: number;
      oldest_due: Date | null;
      jobs_failed: number;
      dead_letters: number;
      devices_offline: number;
      audit_head: number | null;
    }>`select
      (select json_object_agg(state, n) from (
         select state, count(*)::int as n from case_record where state in (${OPEN_STATE_LIST}) group by state
       ) s) as by_state,
      (select count(*)::int from case_record where state in (${OPEN_STATE_LIST}) and light = 'red') as overdue,
      (select count(*)::int from participation_report where status in ('queued', 'filing')) as intake_queue,
      (select count(*)::int from kernel_job where status = 'pending' and run_at <= ${now}) as jobs_due,
      (select min(run_at) from kernel_job where status = 'pending' and run_at <= ${now}) as oldest_due,
      (select count(*)::int from kernel_job where status = 'failed') as jobs_failed,
      (select count(*)::int from datahub_dead_letter) as dead_letters,
      (select count(*)::int from datahub_device where offline) as devices_offline,
      (select max(seq) from audit_record) as audit_head`.execute(db)
  ).rows[0];
  const openByState: Record<string, number> = {};
  for (const state of OPEN_STATES) openByState[state] = row.by_state?.[state] ?? 0;
  return {
    openByState,
    overdue: row.overdue,
    intakeQueue: row.intake_queue,
    jobsDue: row.jobs_due,
    oldestDueSeconds: row.oldest_due
      ? Math.max(0, (now.getTime() - new Date(row.oldest_due).getTime()) / 1000)
      : 0,
    jobsFailed: row.jobs_failed,
    deadLetters: row.dead_letters,
    devicesOffline: row.devices_offline,
    auditHeadSeq: Number(row.audit_head ?? 0),
  };
}

/** Everything `/metrics` answers for one node. */
export class PlatformMetrics {
  readonly http = new HttpFigures();
  readonly #loop: IntervalHistogram;
  #cached: { at: number; figures: Promise<DatabaseFigures> } | null = null;

  constructor(
    private readonly kernel: Kernel,
    private readonly version: string,
    /** How long database figures are reused: a scrape every second costs one read per 5 s. */
    private readonly ttlMs = 5_000,
    private readonly sources: MetricsSources = {},
  ) {
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
  }

  /** Stops sampling the event loop. */
  close() {
    this.#loop.disable();
  }

  /** Database figures no older than the TTL; concurrent scrapes share one read. */
  #databaseFigures(): Promise<DatabaseFigures> {
    const now = performance.now();
    if (!this.#cached || now - this.#cached.at >= this.ttlMs) {
      const figures = readDatabaseFigures(this.kernel);
      this.#cached = { at: now, figures };
      // A failed read is not kept: the next scrape tries again.
      figures.catch(() => {
        if (this.#cached?.figures === figures) this.#cached = null;
      });
    }
    return this.#cached.figures;
  }

  /** The exposition text. The database being down is a figure, not an error of the scrape. */
  async render(): Promise<string> {
    const out = new Exposition();
    const { kernel } = this;
    out
      .family('onecity_info', 'gauge', 'Always 1; the labels say which version runs on which storage')
      .sample('onecity_info', 1, {
        version: this.version,
        storage: kernel.storage.kind,
        bus: kernel.bus.kind,
      });
    const memory = process.memoryUsage();
    out
      .single('process_resident_memory_bytes', 'gauge', 'Resident memory of the process', memory.rss)
      .single('nodejs_heap_used_bytes', 'gauge', 'JavaScript heap in use', memory.heapUsed)
      .single('nodejs_heap_total_bytes', 'gauge', 'JavaScript heap reserved', memory.heapTotal)
      .single(
        'nodejs_external_memory_bytes',
        'gauge',
        'Memory outside the heap (buffers; PGlite’s WebAssembly memory)',
        memory.external + memory.arrayBuffers,
      );
    const cpu = process.cpuUsage();
    out
      .single(
        'process_cpu_seconds_total',
        'counter',
        'CPU time used by the process, user and system',
        (cpu.user + cpu.system) / 1e6,
      )
      .single(
        'process_start_time_seconds',
        'gauge',
        'When the process started, in Unix seconds',
        Math.round(Date.now() / 1000 - process.uptime()),
      )
      .single(
        'process_uptime_seconds',
        'gauge',
        'Seconds since the process started',
        Math.round(process.uptime()),
      );
    // Since the previous scrape, then reset (as prom-client does).
    const loop = this.#loop;
    const lag = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    out
      .family(
        'nodejs_eventloop_lag_seconds',
        'gauge',
        'Event loop delay since the previous scrape, by quantile',
      )
      .sample('nodejs_eventloop_lag_seconds', lag(loop.percentile(50)), { quantile: '0.5' })
      .sample('nodejs_eventloop_lag_seconds', lag(loop.percentile(99)), { quantile: '0.99' })
      .sample('nodejs_eventloop_lag_seconds', lag(loop.max), { quantile: '1' });
    loop.reset();
    this.http.write(out);
    out.single(
      'onecity_live_streams_open',
      'gauge',
      'Live case streams (SSE) open on this node',
      this.sources.liveStreamsOpen?.() ?? 0,
    );
    const ingestion = this.sources.ingestion?.() ?? null;
    if (ingestion)
      out
        .single(
          'onecity_datahub_observations_stored_total',
          'counter',
          'Observations stored by this node since it started (duplicates not counted)',
          ingestion.stored,
        )
        .single(
          'onecity_datahub_write_queue_rows',
          'gauge',
          'Observations waiting to be written on this node',
          ingestion.queued,
        );
    let figures: DatabaseFigures | null = null;
    try {
      figures = await this.#databaseFigures();
    } catch (err) {
      kernel.logger.warn({ err }, 'metrics: reading the database figures failed');
    }
    out.single(
      'onecity_database_up',
      'gauge',
      '1 when the database answered the figures below, 0 when it did not',
      figures ? 1 : 0,
    );
    if (!figures) return out.text();
    out.family('onecity_cases_open', 'gauge', 'Open cases, by state');
    for (const [state, n] of Object.entries(figures.openByState))
      out.sample('onecity_cases_open', n, { state });
    out
      .single(
        'onecity_cases_overdue',
        'gauge',
        'Open cases whose current stage is past its deadline (red light)',
        figures.overdue,
      )
      .single(
        'onecity_intake_queue_reports',
        'gauge',
        'Citizen reports accepted and waiting to be filed as cases',
        figures.intakeQueue,
      )
      .single(
        'onecity_scheduler_jobs_due',
        'gauge',
        'Scheduler jobs whose time has come and that have not run yet',
        figures.jobsDue,
      )
      .single(
        'onecity_scheduler_oldest_due_seconds',
        'gauge',
        'How long the oldest due job has been waiting',
        figures.oldestDueSeconds,
      )
      .single(
        'onecity_scheduler_jobs_failed',
        'gauge',
        'Scheduler jobs that failed every attempt and were given up, kept SCHEDULER_FAILED_RETENTION_DAYS days',
        figures.jobsFailed,
      )
      .single(
        'onecity_datahub_dead_letters',
        'gauge',
        'Observations kept as dead letters (could not be stored)',
        figures.deadLetters,
      )
      .single(
        'onecity_datahub_devices_offline',
        'gauge',
        'Devices flagged offline (silent too long)',
        figures.devicesOffline,
      )
      .single(
        'onecity_audit_head_seq',
        'gauge',
        'Sequence number of the newest audit record',
        figures.auditHeadSeq,
      );
    return out.text();
  }
}
