/**
 * `/metrics`: who may scrape it, that it is valid Prometheus text, and that its figures
 * follow what happens on the platform (cases, SLA, scheduler, HTTP), with the database
 * figures reused within their time to live.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CATEGORY, MONDAY_9AM } from '../../src/cases/testing.ts';
import { DATAHUB } from '../../src/datahub/index.ts';
import { addUser, bearer, loginAs } from '../../src/identity/testing.ts';
import { loadConfig } from '../../src/kernel/index.ts';
import { ORG, seedDemoCity } from '../../src/org/index.ts';
import { PlatformMetrics } from '../../src/operations/index.ts';
import { addDevice, postObservations, serviceKey } from '../datahub/datahub-fixtures.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef0123456789abcdef';

/** Samples by `name{labels}` (labels as written), after checking every line's syntax. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  const helped = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (m) {
      (m[1] === 'HELP' ? helped : typed).add(m[2]);
      if (m[1] === 'TYPE') assert.match(m[3], /^(counter|gauge|histogram)$/, line);
      continue;
    }
    m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/.exec(
        line,
      );
    assert.ok(m, `not a sample line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(typed.has(m[1]) || typed.has(family), `no # TYPE before ${line}`);
    assert.ok(helped.has(m[1]) || helped.has(family), `no # HELP before ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

function pointInCity(locate: (lat: number, lon: number) => { grid?: unknown } | null) {
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) if (locate(lat, lon)?.grid) return { lat, lon };
  throw new Error('no point inside the demo city');
}

for (const backend of testBackends())
  describe(`GET /metrics (${backend})`, () => {
    let t: TestApp;
    const as: Record<string, { authorization: string }> = {};

    before(async () => {
      const config = loadConfig({ env: { LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false' }, file: null });
      // Fresh database figures at every scrape, so each one sees the change before it.
      t = await buildTestApp(backend, {
        config: { ...config, settings: { METRICS_TOKEN, METRICS_CACHE_SECONDS: '0' } },
      });
      t.clock.set(MONDAY_9AM);
      await seedDemoCity(t, { seed: 1, password: 'Demo-password-2026' });
      for (const [name, role] of [
        ['citizen', 'citizen'],
        ['dispatcher', 'dispatcher'],
        ['auditor', 'auditor'],
      ] as const) {
        await addUser(t, `m.${name}`, [role]);
        as[name] = bearer(await loginAs(t, `m.${name}`));
      }
    });
    after(() => t.dispose());

    const scrape = (headers: Record<string, string> = as.auditor) =>
      t.app.inject({ method: 'GET', url: '/metrics', headers });
    const report = (i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: as.citizen,
        payload: {
          channel: 'app',
          category: CATEGORY,
          location: pointInCity(t.services(ORG).locate),
          description: `Overflowing bin (${i})`,
          reporter: { name: '张三丰', phone: '13812341234', consent: true },
        },
      });

    it('answers only holders of metrics.read or the METRICS_TOKEN bearer', async () => {
      const anonymous = await scrape({});
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().code, 'unauthenticated');
      const dispatcher = await scrape(as.dispatcher);
      assert.equal(dispatcher.statusCode, 403);
      assert.equal(dispatcher.json().permission, 'metrics.read');
      assert.equal((await scrape({ authorization: `Bearer ${METRICS_TOKEN}x` })).statusCode, 401);
      const byToken = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
      assert.equal(byToken.statusCode, 200);
      const byAuditor = await scrape();
      assert.equal(byAuditor.statusCode, 200);
      assert.equal(byAuditor.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    });

    it('is valid exposition text with the process, platform and database figures', async () => {
      const samples = parse((await scrape()).body);
      assert.ok(samples.get('process_resident_memory_bytes')! > 0);
      assert.ok(samples.get('process_uptime_seconds')! >= 0);
      assert.ok(samples.has('nodejs_eventloop_lag_seconds{quantile="0.99"}'));
      assert.equal(samples.get('onecity_database_up'), 1);
      assert.equal(samples.get('onecity_live_streams_open'), 0);
      assert.equal(samples.get('onecity_datahub_observations_stored_total'), 0);
      assert.equal(samples.get('onecity_datahub_dead_letters'), 0);
      assert.equal(samples.get('onecity_datahub_devices_offline'), 0);
      assert.equal(samples.get('onecity_intake_queue_reports'), 0);
      assert.equal(samples.get('onecity_cases_open{state="reported"}'), 0);
      const head = await sql<{ seq: number }>`select max(seq) as seq from audit_record`.execute(t.kernel.db);
      assert.ok(head.rows[0].seq > 0);
      assert.equal(samples.get('onecity_audit_head_seq'), head.rows[0].seq);
    });

    it('counts the observations this node stored, and opens to an API key scoped to metrics.read', async () => {
      const admin = await serviceKey(t, 'm.devices');
      const { key } = await addDevice(t, admin, {
        id: 'noise-metrics',
        name: 'Noise',
        sensorType: 'noise-monitor',
      });
      const at = (minutesAgo: number) =>
        new Date(t.clock.now().getTime() - minutesAgo * 60_000).toISOString();
      const posted = await postObservations(t, key, [
        { property: 'laeq', time: at(2), value: 50 },
        { property: 'laeq', time: at(1), value: 51 },
        { property: 'laeq', time: at(1), value: 51 },
      ]);
      assert.equal(posted.json().accepted, 2);
      await t.services(DATAHUB).drain();
      const scraper = await serviceKey(t, 'm.prometheus', ['auditor'], ['metrics.read']);
      const res = await scrape({ 'x-api-key': scraper });
      assert.equal(res.statusCode, 200);
      const samples = parse(res.body);
      assert.equal(samples.get('onecity_datahub_observations_stored_total'), 2);
      assert.equal(samples.get('onecity_datahub_write_queue_rows'), 0);
      const other = await serviceKey(t, 'm.reader', ['auditor'], ['audit.read']);
      assert.equal((await scrape({ 'x-api-key': other })).statusCode, 403);
    });

    it('follows cases, their SLA lights, the scheduler and HTTP traffic', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await report(i)).statusCode, 201);
      // GET falls back to the web app (`/*`); a POST to nowhere matches no route.
      assert.equal((await t.app.inject({ method: 'POST', url: '/no/such/route' })).statusCode, 404);
      let samples = parse((await scrape()).body);
      assert.equal(samples.get('onecity_cases_open{state="reported"}'), 3);
      assert.equal(samples.get('onecity_cases_overdue'), 0);
      const created = 'method="POST",route="/api/v1/cases"';
      assert.equal(samples.get(`onecity_http_requests_total{${created},status="201"}`), 3);
      assert.equal(samples.get(`onecity_http_request_duration_seconds_count{${created}}`), 3);
      assert.equal(samples.get(`onecity_http_request_duration_seconds_bucket{${created},le="+Inf"}`), 3);
      assert.ok(samples.get(`onecity_http_request_duration_seconds_sum{${created}}`)! > 0);
      assert.equal(
        samples.get('onecity_http_requests_total{method="POST",route="unmatched",status="404"}'),
        1,
      );

      // Three days later nobody has filed them: their timers are due, then their lights red.
      t.clock.advance(3 * 24 * 3600 * 1000);
      for (const name of Object.keys(as)) as[name] = bearer(await loginAs(t, `m.${name}`));
      samples = parse((await scrape()).body);
      assert.ok(samples.get('onecity_scheduler_jobs_due')! >= 3);
      assert.ok(samples.get('onecity_scheduler_oldest_due_seconds')! > 24 * 3600);
      t.kernel.scheduler.handle('test.always-fails', async () => {
        throw new Error('on purpose');
      });
      await t.kernel.scheduler.schedule({ kind: 'test.always-fails', runAt: t.clock.now(), maxAttempts: 1 });
      while ((await t.kernel.scheduler.runDue()) > 0) {}
      samples = parse((await scrape()).body);
      assert.equal(samples.get('onecity_scheduler_jobs_due'), 0);
      assert.equal(samples.get('onecity_scheduler_oldest_due_seconds'), 0);
      assert.equal(samples.get('onecity_scheduler_jobs_failed'), 1);
      assert.equal(samples.get('onecity_cases_overdue'), 3);
    });

    it('reads the database figures at most once per time to live', async () => {
      const cached = new PlatformMetrics(t.kernel, 'test', 3_600_000);
      const fresh = new PlatformMetrics(t.kernel, 'test', 0);
      try {
        const open = async (m: PlatformMetrics) =>
          parse(await m.render()).get('onecity_cases_open{state="reported"}');
        const before = await open(cached);
        assert.equal(await open(fresh), before);
        assert.equal((await report(99)).statusCode, 201);
        assert.equal(await open(cached), before, 'within its time to live');
        assert.equal(await open(fresh), before! + 1);
      } finally {
        cached.close();
        fresh.close();
      }
    });

    it('counts the failed jobs of the last SCHEDULER_FAILED_RETENTION_DAYS days only', async () => {
      assert.equal(parse((await scrape()).body).get('onecity_scheduler_jobs_failed'), 1);
      // The scheduler's own pruning job, scheduled at start, deletes the failure 30 days on.
      t.clock.advance(31 * 24 * 3600 * 1000);
      as.auditor = bearer(await loginAs(t, 'm.auditor'));
      while ((await t.kernel.scheduler.runDue()) > 0) {}
      assert.equal(parse((await scrape()).body).get('onecity_scheduler_jobs_failed'), 0);
    });
  });
