/**
 * The demo city with its sensors: seeding (as `onecity seed --demo` and the first `onecity
 * start` do) places the plates' demo sensors, street lights along the grids' edges,
 * deterministically by seed; `onecity simulate` streams their observations at the simulated
 * time through the ingestion path alongside the cases, and counts them in its summary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedDemoWithProgress } from '../../src/cli/commands/seed.ts';
import { simulateDemo } from '../../src/cli/commands/simulate.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

const EXPECTED = {
  'air-quality-station': 8,
  'noise-monitor': 12,
  'street-light': 24,
  'water-quality-station': 5,
};

describe('demo city sensors (seed and simulate)', () => {
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    process.env.ONECITY_DEMO_PASSWORD ??= 'Demo-sensors-1!';
    a = await buildTestApp('pglite');
    b = await buildTestApp('pglite');
  });
  after(async () => {
    await a.dispose();
    await b.dispose();
  });

  const devices = (app: TestApp) =>
    app.kernel.db
      .selectFrom('datahub_device')
      .select(['id', 'sensor_type', 'lat', 'lon', 'district_code', 'division_code'])
      .orderBy('id')
      .execute();

  it('seeding the demo city places its sensors, the same for the same seed', async () => {
    const ra = await seedDemoWithProgress(a, 3);
    const rb = await seedDemoWithProgress(b, 3);
    assert.deepEqual(ra.sensors, EXPECTED);
    assert.deepEqual(rb.sensors, EXPECTED);
    const da = await devices(a);
    assert.deepEqual(da, await devices(b));
    const count: Record<string, number> = {};
    for (const d of da) count[d.sensor_type as string] = (count[d.sensor_type as string] ?? 0) + 1;
    assert.deepEqual(count, EXPECTED);
    assert.ok(da.every((d) => typeof d.district_code === 'string'));
    // Street lights stand in rows of four along one edge of a grid: each row in one grid.
    const lights = da.filter((d) => d.sensor_type === 'street-light');
    for (let row = 0; row < lights.length; row += 4) {
      const grids = new Set(lights.slice(row, row + 4).map((d) => d.division_code));
      assert.equal(grids.size, 1, JSON.stringify(lights.slice(row, row + 4)));
    }
  });

  it('simulate streams observations of every sensor type through ingestion, with the AQI derived', async () => {
    a.clock.set('2026-03-01T16:00:00Z'); // midnight in the city
    const summary = await simulateDemo(a, a.clock, { days: 0.25, seed: 5, reportsPerDay: 20 });
    const obs = summary.observations!;
    // 6 hours every 15 minutes: 24 steps (and the last tick's step), every datastream.
    const perStep = 8 * 6 + 12 * 2 + 24 * 4 + 5 * 5;
    assert.equal(obs.rejected, 0);
    assert.ok(obs.accepted >= 24 * perStep, JSON.stringify(obs));
    assert.deepEqual(Object.keys(obs.bySensorType).sort(), Object.keys(EXPECTED));
    const stored = await a.kernel.db
      .selectFrom('datahub_observation as o')
      .innerJoin('datahub_datastream as s', 's.id', 'o.datastream_id')
      .innerJoin('datahub_device as d', 'd.id', 's.device_id')
      .select(['d.sensor_type', 's.property', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['d.sensor_type', 's.property'])
      .execute();
    const n = (type: string, property: string) =>
      Number(stored.find((r) => r.sensor_type === type && r.property === property)?.n ?? 0);
    for (const [type, property] of [
      ['air-quality-station', 'pm25'],
      ['noise-monitor', 'laeq'],
      ['water-quality-station', 'ph'],
      ['street-light', 'status'],
      ['street-light', 'energy'],
    ])
      assert.ok(n(type, property) >= 24 * EXPECTED[type as keyof typeof EXPECTED], `${type}.${property}`);
    assert.ok(n('air-quality-station', 'aqi') >= 24 * 8, 'the AQI is derived at every step');
    assert.ok(n('street-light', 'fault') >= 24 * 24, 'and the street lights’ fault');
    // Observations sit at the simulated time, within the simulated span.
    const span = await a.kernel.db
      .selectFrom('datahub_observation')
      .select((eb) => [eb.fn.min('time').as('first'), eb.fn.max('time').as('last')])
      .executeTakeFirstOrThrow();
    assert.equal(span.first.toISOString(), '2026-03-01T16:00:00.000Z');
    assert.ok(span.last.getTime() <= Date.parse('2026-03-01T22:00:00Z'));
    // At night the lamps are lit (a failing one now and then).
    const lit = await a.kernel.db
      .selectFrom('datahub_latest as l')
      .innerJoin('datahub_datastream as s', 's.id', 'l.datastream_id')
      .select('l.value')
      .where('s.property', '=', 'status')
      .execute();
    assert.ok(lit.filter((r) => r.value === 1).length >= 20, JSON.stringify(lit));
    assert.ok(summary.reported >= 0);
  });
});
