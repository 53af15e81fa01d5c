import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditCapability } from '../../src/audit/index.ts';
import { createDatahubCapability, DATAHUB, datahubEvents } from '../../src/datahub/index.ts';
import { identityCapability } from '../../src/identity/index.ts';
import { orgCapability } from '../../src/org/index.ts';
import type { PlatformEvent } from '../../src/kernel/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';
import { addDevice, postObservations, serviceKey } from './datahub-fixtures.ts';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

for (const backend of testBackends()) {
  describe(`HTTP observation ingestion (${backend})`, () => {
    let app: TestApp;
    let admin: string;
    let aqKey: string;
    let noiseKey: string;
    const events: PlatformEvent[] = [];

    before(async () => {
      app = await buildTestApp(backend);
      app.kernel.bus.subscribe('*', (e) => {
        events.push(e);
      });
      admin = await serviceKey(app);
      aqKey = (
        await addDevice(app, admin, {
          id: 'aq-001',
          name: 'Station 1',
          sensorType: 'air-quality-station',
          location: { lat: 30.25, lon: 120.1 },
        })
      ).key;
      noiseKey = (
        await addDevice(app, admin, { id: 'noise-001', name: 'Noise 1', sensorType: 'noise-monitor' })
      ).key;
    });
    after(() => app.dispose());

    test('registering creates the datastreams of the sensor type, derived ones included', async () => {
      const res = await app.app.inject({
        url: '/api/v1/devices/aq-001/datastreams',
        headers: { 'x-api-key': admin },
      });
      assert.equal(res.statusCode, 200);
      const items = res.json().items as Array<{ property: string; unit: string; derived: boolean }>;
      assert.deepEqual(
        items.map((s) => s.property),
        ['pm25', 'pm10', 'so2', 'no2', 'o3', 'co', 'aqi'],
      );
      assert.equal(items.find((s) => s.property === 'co')!.unit, 'mg/m3');
      assert.equal(items.find((s) => s.property === 'aqi')!.derived, true);
      assert.ok(
        events
          .filter(datahubEvents.has)
          .some((e) => e.type === 'device.registered' && e.data.device.id === 'aq-001'),
      );
    });

    test('a good batch is stored once; resending it counts duplicates', async () => {
      const batch = [
        { property: 'laeq', time: at(0), value: 55.2 },
        { property: 'laeq', time: at(1), value: 56.1 },
        { device: 'noise-001', property: 'laeq_night', time: at(1), value: 44 },
      ];
      const first = await postObservations(app, noiseKey, batch);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json(), { accepted: 3, duplicates: 0, rejected: [] });
      const again = await postObservations(app, noiseKey, { items: batch });
      assert.deepEqual(again.json(), { accepted: 0, duplicates: 3, rejected: [] });
      const series = await app.app.inject({
        url: `/api/v1/datastreams/noise-001.laeq/observations?from=${at(-10)}&to=${at(10)}`,
        headers: { 'x-api-key': admin },
      });
      assert.deepEqual(
        series.json().items.map((i: { value: number }) => i.value),
        [55.2, 56.1],
      );
    });

    test('a partially bad batch stores the good items and reports each bad one by index', async () => {
      const res = await postObservations(app, aqKey, [
        { property: 'pm25', time: at(0), value: 35 },
        { property: 'pm25', time: at(1), value: 'high' },
        { property: 'nope', time: at(1), value: 1 },
        { device: 'noise-001', property: 'laeq', time: at(5), value: 50 },
        { property: 'pm25', time: '2026-03-02 00:02', value: 1 },
        { property: 'pm25', time: at(60 * 24), value: 1 },
        { property: 'aqi', time: at(3), value: 50 },
        42,
        { property: 'pm10', time: at(0), value: 50, quality: 'excellent' },
        { datastream: 'aq-001.pm10', time: at(0), value: 60 },
      ]);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        accepted: 2,
        duplicates: 0,
        rejected: [
          { index: 1, reason: 'value.invalid' },
          { index: 2, reason: 'datastream.not_found' },
          { index: 3, reason: 'datastream.not_found' },
          { index: 4, reason: 'time.invalid' },
          { index: 5, reason: 'time.in_future' },
          { index: 6, reason: 'datastream.derived' },
          { index: 7, reason: 'item.not_object' },
          { index: 8, reason: 'quality.invalid' },
        ],
      });
    });

    test('atomic=true refuses the whole batch when one item is bad', async () => {
      const res = await postObservations(
        app,
        aqKey,
        [
          { property: 'so2', time: at(10), value: 10 },
          { property: 'so2', time: at(11), value: -5e9 },
          { property: 'so2', time: at(12) },
        ],
        '?atomic=true',
      );
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(res.json().code, 'ingest.batch_rejected');
      assert.deepEqual(res.json().rejected, [{ index: 2, reason: 'value.invalid' }]);
      const series = await app.app.inject({
        url: `/api/v1/datastreams/aq-001.so2/observations?from=${at(0)}&to=${at(20)}`,
        headers: { 'x-api-key': admin },
      });
      assert.deepEqual(series.json().items, []);
      const ok = await postObservations(
        app,
        aqKey,
        [{ property: 'so2', time: at(10), value: 10 }],
        '?atomic=true',
      );
      assert.deepEqual(ok.json(), { accepted: 1, duplicates: 0, rejected: [] });
    });

    test('values outside the declared range are stored as suspect', async () => {
      await postObservations(app, aqKey, [{ property: 'co', time: at(0), value: 250 }]);
      const series = await app.app.inject({
        url: `/api/v1/datastreams/aq-001.co/observations?from=${at(-1)}&to=${at(1)}`,
        headers: { 'x-api-key': admin },
      });
      assert.deepEqual(series.json().items, [{ time: at(0), value: 250, quality: 'suspect' }]);
    });

    test('the derived AQI is computed on write and announced with the latest values', async () => {
      await app.services(DATAHUB).drain();
      events.length = 0;
      const res = await postObservations(app, aqKey, [
        { property: 'pm25', time: at(60), value: 80 },
        { property: 'pm10', time: at(60), value: 100 },
        { property: 'no2', time: at(60), value: 40 },
        { property: 'o3', time: at(60), value: 100 },
        { property: 'so2', time: at(60), value: 10 },
        { property: 'co', time: at(60), value: 1 },
      ]);
      assert.equal(res.json().accepted, 6);
      await app.services(DATAHUB).drain();
      const streams = await app.app.inject({
        url: '/api/v1/devices/aq-001/datastreams',
        headers: { 'x-api-key': admin },
      });
      const aqi = streams.json().items.find((s: { property: string }) => s.property === 'aqi');
      // PM2.5 80 µg/m³ lies in 75–115 → IAQI 105–150: 100 + (80−75)/(115−75)·50 = 106.25 → 107
      assert.deepEqual(aqi.latest, { time: at(60), value: 107, quality: 'good' });
      const latest = events
        .filter(datahubEvents.has)
        .flatMap((e) => (e.type === 'observation.latest' ? [e] : []));
      assert.equal(latest.length, 1, 'one event per device per write');
      const data = latest[0].data;
      assert.equal(data.deviceId, 'aq-001');
      assert.equal(data.sensorType, 'air-quality-station');
      assert.equal(data.ngsiType, 'AirQualityObserved');
      assert.deepEqual(data.location, { type: 'Point', coordinates: [120.1, 30.25] });
      assert.deepEqual(data.values.pm25, { value: 80, unit: 'ug/m3', time: at(60), quality: 'good' });
      assert.equal(data.values.aqi.value, 107);
    });

    test('authentication: no key, a wrong key, another device, principals without the permission', async () => {
      const item = [{ property: 'laeq', time: at(30), value: 50 }];
      const anon = await app.app.inject({ method: 'POST', url: '/api/v1/observations', payload: item });
      assert.equal(anon.statusCode, 401);
      const wrong = await postObservations(app, 'ocd_not-a-key', item);
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'auth.device_key_invalid');
      const other = await postObservations(app, aqKey, [{ device: 'noise-001', ...item[0] }]);
      assert.deepEqual(other.json().rejected, [{ index: 0, reason: 'datastream.not_found' }]);
      const reader = await serviceKey(app, 'reader-svc', ['city_leader'], ['device.read']);
      const denied = await postObservations(app, reader, [{ device: 'noise-001', ...item[0] }]);
      assert.equal(denied.statusCode, 403);
      const service = await postObservations(app, admin, [{ device: 'noise-001', ...item[0] }]);
      assert.deepEqual(service.json(), { accepted: 1, duplicates: 0, rejected: [] });
      const byId = await app.app.inject({
        url: '/api/v1/devices/noise-001/datastreams',
        headers: { 'x-api-key': admin },
      });
      const laeqId = byId.json().items[0].id as number;
      const numeric = await postObservations(app, noiseKey, [
        { datastream: laeqId, time: at(31), value: 51 },
      ]);
      assert.deepEqual(numeric.json(), { accepted: 1, duplicates: 0, rejected: [] });
    });

    test('a rotated key replaces the old one at once', async () => {
      const res = await app.app.inject({
        method: 'POST',
        url: '/api/v1/devices/noise-001/key',
        headers: { 'x-api-key': admin },
      });
      assert.equal(res.statusCode, 200);
      const fresh = res.json().key as string;
      assert.match(fresh, /^ocd_/);
      assert.equal(
        (await postObservations(app, noiseKey, [{ property: 'laeq', time: at(40), value: 1 }])).statusCode,
        401,
      );
      assert.equal(
        (await postObservations(app, fresh, [{ property: 'laeq', time: at(40), value: 50 }])).statusCode,
        200,
      );
      noiseKey = fresh;
    });

    test('a batch larger than 10,000 items is refused', async () => {
      const items = Array.from({ length: 10_001 }, (_, i) => ({ property: 'laeq', time: at(i), value: 50 }));
      const res = await postObservations(app, noiseKey, items);
      assert.equal(res.statusCode, 400);
    });
  });

  describe(`HTTP ingestion under overload (${backend})`, () => {
    let app: TestApp;
    before(async () => {
      app = await buildTestApp(backend, {
        capabilities: [
          identityCapability,
          auditCapability,
          // The data hub places devices with org's point lookup.
          orgCapability,
          createDatahubCapability({ writer: { maxQueueRows: 10, lingerMs: 300 } }),
        ],
      });
    });
    after(() => app.dispose());

    test('a full write queue answers 503 ingest.overloaded with Retry-After; nothing accepted is lost', async () => {
      const admin = await serviceKey(app);
      const { key } = await addDevice(app, admin, {
        id: 'noise-009',
        name: 'N',
        sensorType: 'noise-monitor',
      });
      const batch = (offset: number) =>
        Array.from({ length: 8 }, (_, i) => ({ property: 'laeq', time: at(offset + i), value: 50 + i }));
      // Both arrive within the writer's 300 ms linger: the second finds the queue full.
      const answers = await Promise.all([
        postObservations(app, key, batch(0)),
        postObservations(app, key, batch(-100)),
      ]);
      const refused = answers.find((r) => r.statusCode === 503);
      const taken = answers.find((r) => r.statusCode === 200);
      assert.ok(refused && taken, answers.map((r) => r.statusCode).join());
      assert.equal(refused.json().code, 'ingest.overloaded');
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.deepEqual(taken.json(), { accepted: 8, duplicates: 0, rejected: [] });
      const again = answers.indexOf(refused) === 0 ? batch(0) : batch(-100);
      const retry = await postObservations(app, key, again);
      assert.deepEqual(retry.json(), { accepted: 8, duplicates: 0, rejected: [] });
    });
  });
}
