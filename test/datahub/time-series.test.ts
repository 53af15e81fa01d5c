import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DATAHUB, MAINTENANCE_JOB, runMaintenance } from '../../src/datahub/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';
import { addDevice, postObservations, serviceKey } from './datahub-fixtures.ts';

// The test clock stands at 2026-03-02T01:00Z; the series covers the day before.
const DAY = Date.parse('2026-03-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

for (const backend of testBackends()) {
  describe(`observation time series (${backend})`, () => {
    let app: TestApp;
    let admin: string;
    const get = async (url: string) => {
      const res = await app.app.inject({ url, headers: { 'x-api-key': admin } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    before(async () => {
      app = await buildTestApp(backend, {
        env: { OBSERVATION_RETENTION_DAYS: '30', ONECITY_TIMEZONE: 'UTC' },
      });
      admin = await serviceKey(app);
      const { key } = await addDevice(app, admin, {
        id: 'noise-ts',
        name: 'TS',
        sensorType: 'noise-monitor',
      });
      // One value a minute for 24 hours: value = hour of day + minute / 100.
      const items = [];
      for (let m = 0; m < 24 * 60; m++)
        items.push({
          property: 'laeq',
          time: iso(DAY + m * 60_000),
          value: 30 + Math.floor(m / 60) + (m % 60) / 100,
        });
      const res = await postObservations(app, key, items);
      assert.equal(res.json().accepted, 1440);
    });
    after(() => app.dispose());

    test('raw values in [from, to) in time order', async () => {
      const body = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?from=${iso(DAY + 3_600_000)}&to=${iso(DAY + 3_600_000 + 180_000)}`,
      );
      assert.deepEqual(
        body.items.map((i: { value: number }) => i.value),
        [31, 31.01, 31.02],
      );
      assert.equal(body.datastream.unit, 'dB');
    });

    test('min, max, avg and count per hour, per day and per minute', async () => {
      const range = `from=${iso(DAY)}&to=${iso(DAY + 86_400_000)}`;
      const avg = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?${range}&aggregate=avg&interval=hour`,
      );
      assert.equal(avg.items.length, 24);
      assert.equal(avg.items[2].time, iso(DAY + 2 * 3_600_000));
      assert.equal(avg.items[2].count, 60);
      assert.ok(Math.abs(avg.items[2].value - 32.295) < 1e-9, String(avg.items[2].value));
      const max = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?${range}&aggregate=max&interval=day`,
      );
      assert.deepEqual(max.items, [{ time: iso(DAY), value: 53.59, count: 1440 }]);
      const min = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?${range}&aggregate=min&interval=day`,
      );
      assert.equal(min.items[0].value, 30);
      const count = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?from=${iso(DAY)}&to=${iso(DAY + 300_000)}&aggregate=count&interval=minute`,
      );
      assert.deepEqual(
        count.items.map((i: { value: number }) => i.value),
        [1, 1, 1, 1, 1],
      );
    });

    test('days follow the city time zone', async () => {
      const shanghai = await buildTestApp(backend, { env: { ONECITY_TIMEZONE: 'Asia/Shanghai' } });
      try {
        const key = await serviceKey(shanghai);
        const dev = await addDevice(shanghai, key, {
          id: 'noise-tz',
          name: 'TZ',
          sensorType: 'noise-monitor',
        });
        // 15:30Z and 16:30Z on 1 March are 23:30 on 1 March and 00:30 on 2 March in Shanghai.
        await postObservations(shanghai, dev.key, [
          { property: 'laeq', time: '2026-03-01T15:30:00Z', value: 40 },
          { property: 'laeq', time: '2026-03-01T16:30:00Z', value: 50 },
        ]);
        const res = await shanghai.app.inject({
          url: '/api/v1/datastreams/noise-tz.laeq/observations?from=2026-02-28T00:00:00Z&to=2026-03-02T00:00:00Z&aggregate=count&interval=day',
          headers: { 'x-api-key': key },
        });
        assert.deepEqual(
          res.json().items.map((i: { time: string }) => i.time),
          ['2026-02-28T16:00:00.000Z', '2026-03-01T16:00:00.000Z'],
        );
      } finally {
        await shanghai.dispose();
      }
    });

    test('a bad range or an unknown datastream are refused', async () => {
      const bad = await app.app.inject({
        url: `/api/v1/datastreams/noise-ts.laeq/observations?from=${iso(DAY + 1000)}&to=${iso(DAY)}`,
        headers: { 'x-api-key': admin },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'observations.invalid_range');
      const missing = await app.app.inject({
        url: '/api/v1/datastreams/noise-ts.nothing/observations',
        headers: { 'x-api-key': admin },
      });
      assert.equal(missing.statusCode, 404);
      const wrongAggregate = await app.app.inject({
        url: '/api/v1/datastreams/noise-ts.laeq/observations?aggregate=median',
        headers: { 'x-api-key': admin },
      });
      assert.equal(wrongAggregate.statusCode, 400);
    });

    test('maintenance rolls hours up; after retention the hourly and daily answers come from rollups', async () => {
      await app.services(DATAHUB).drain();
      const now = new Date('2026-03-02T01:00:00Z');
      const first = await runMaintenance(app.kernel.db, now, 30);
      assert.ok(first.rollup);
      const hourly = await app.kernel.db
        .selectFrom('datahub_observation_hourly')
        .selectAll()
        .where('hour', '=', new Date(DAY + 5 * 3_600_000))
        .execute();
      assert.equal(hourly.length, 1);
      assert.equal(hourly[0].count, 60);
      assert.equal(hourly[0].min, 35);
      assert.equal(hourly[0].max, 35.59);

      // 40 days later, with 30 days of retention, the raw rows are gone.
      const later = new Date(now.getTime() + 40 * 86_400_000);
      await runMaintenance(app.kernel.db, later, 30);
      const raw = await sql<{ n: number }>`select count(*)::int as n from datahub_observation`.execute(
        app.kernel.db,
      );
      assert.equal(raw.rows[0].n, 0);
      app.clock.set(later);
      const range = `from=${iso(DAY)}&to=${iso(DAY + 86_400_000)}`;
      const avg = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?${range}&aggregate=avg&interval=hour`,
      );
      assert.equal(avg.items.length, 24);
      assert.equal(avg.items[2].time, iso(DAY + 2 * 3_600_000));
      assert.equal(avg.items[2].count, 60);
      assert.ok(Math.abs(avg.items[2].value - 32.295) < 1e-9, String(avg.items[2].value));
      const max = await get(
        `/api/v1/datastreams/noise-ts.laeq/observations?${range}&aggregate=max&interval=day`,
      );
      assert.deepEqual(max.items, [{ time: iso(DAY), value: 53.59, count: 1440 }]);
      const rawAnswer = await get(`/api/v1/datastreams/noise-ts.laeq/observations?${range}`);
      assert.deepEqual(rawAnswer.items, []);
    });

    test('the maintenance job is scheduled at start and reschedules itself', async () => {
      const jobs = await app.kernel.db
        .selectFrom('kernel_job')
        .select(['key', 'status'])
        .where('kind', '=', MAINTENANCE_JOB)
        .execute();
      assert.equal(jobs.filter((j) => j.status === 'pending').length, 1);
      await app.kernel.scheduler.runDue();
      const after = await app.kernel.db
        .selectFrom('kernel_job')
        .select(['key', 'status', 'run_at'])
        .where('kind', '=', MAINTENANCE_JOB)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        after.map((j) => [j.key, j.status]),
        [
          [`${MAINTENANCE_JOB}:a`, 'done'],
          [`${MAINTENANCE_JOB}:b`, 'pending'],
        ],
      );
    });

    test('monthly partitions exist ahead of time (declarative partitioning on both engines)', async () => {
      const { rows } = await sql<{ name: string }>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent where p.relname = 'datahub_observation'
          and pg_table_is_visible(p.oid) order by 1`.execute(app.kernel.db);
      const names = rows.map((r) => r.name);
      assert.ok(names.includes('datahub_observation_default'));
      assert.ok(names.some((n) => /^datahub_observation_y\d{4}m\d{2}$/.test(n)));
    });
  });
}
