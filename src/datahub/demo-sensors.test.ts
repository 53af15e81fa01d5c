import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedDemoCity } from '../org/index.ts';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { demoValue, DATAHUB, seedDemoSensors, simulateObservations } from './index.ts';

describe('demo sensors', () => {
  let app: TestApp;
  let other: TestApp;
  before(async () => {
    app = await buildTestApp('pglite');
    other = await buildTestApp('pglite');
  });
  after(async () => {
    await app.dispose();
    await other.dispose();
  });

  test('the same seed places the same sensors of every plate sensor type inside the demo city', async () => {
    await seedDemoCity(app, { seed: 7, password: 'Demo-password-1' });
    await seedDemoCity(other, { seed: 7, password: 'Demo-password-1' });
    const placed = await seedDemoSensors(app, { seed: 7 });
    const again = await seedDemoSensors(other, { seed: 7 });
    assert.deepEqual(
      placed.map((d) => d.id),
      again.map((d) => d.id),
    );
    const count = (type: string) => placed.filter((d) => d.sensorType === type).length;
    assert.equal(count('air-quality-station'), 8);
    assert.equal(count('noise-monitor'), 12);
    assert.equal(count('water-quality-station'), 5);
    assert.equal(count('street-light'), 24);
    const rows = await app.kernel.db
      .selectFrom('datahub_device')
      .select(['id', 'lat', 'lon', 'district_code'])
      .orderBy('id')
      .execute();
    const otherRows = await other.kernel.db
      .selectFrom('datahub_device')
      .select(['id', 'lat', 'lon'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map(({ id, lat, lon }) => ({ id, lat, lon })),
      otherRows,
    );
    // With the demo city seeded, every sensor lies in one of its districts.
    assert.ok(
      rows.every((r) => typeof r.district_code === 'string' && r.district_code.startsWith('3301')),
      JSON.stringify(rows.filter((r) => !r.district_code)),
    );
    // Seeding again keeps what exists.
    const third = await seedDemoSensors(app, { seed: 7 });
    assert.ok(third.every((d) => d.key === null));
  });

  test('simulated series follow the day: traffic peaks, quiet nights, afternoon ozone; AQI is derived', async () => {
    const day = new Date('2026-03-01T16:00:00Z'); // midnight in Shanghai
    const result = await simulateObservations(app, {
      seed: 7,
      from: day,
      to: new Date(day.getTime() + 86_400_000),
      stepMinutes: 60,
      deviceIds: ['aq-001', 'noise-001'],
    });
    assert.deepEqual(result, {
      accepted: 24 * (6 + 2),
      duplicates: 0,
      rejected: 0,
      bySensorType: { 'air-quality-station': 24 * 6, 'noise-monitor': 24 * 2 },
    });
    await app.services(DATAHUB).drain();
    const at = (h: number) => day.getTime() + h * 3_600_000;
    const opts = { seed: 7, timeZone: 'Asia/Shanghai' };
    assert.ok(demoValue('aq-001', 'pm25', at(8), opts) > demoValue('aq-001', 'pm25', at(3), opts));
    assert.ok(demoValue('aq-001', 'o3', at(15), opts) > 2 * demoValue('aq-001', 'o3', at(3), opts));
    assert.ok(demoValue('noise-001', 'laeq', at(18), opts) > demoValue('noise-001', 'laeq', at(2), opts) + 5);
    assert.equal(demoValue('aq-001', 'pm25', at(8), opts), demoValue('aq-001', 'pm25', at(8), opts));
    const aqi = await app.kernel.db
      .selectFrom('datahub_observation as o')
      .innerJoin('datahub_datastream as s', 's.id', 'o.datastream_id')
      .select(['o.value'])
      .where('s.device_id', '=', 'aq-001')
      .where('s.property', '=', 'aqi')
      .execute();
    assert.equal(aqi.length, 24);
    assert.ok(aqi.every((r) => r.value > 0 && r.value < 300));
  });
});
