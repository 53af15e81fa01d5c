import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditCapability } from '../../src/audit/index.ts';
import {
  createDatahubCapability,
  DATAHUB,
  type DatahubEvent,
  datahubEvents,
  sweepOfflineDevices,
} from '../../src/datahub/index.ts';
import { identityCapability } from '../../src/identity/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';
import { addDevice, postObservations, serviceKey } from './datahub-fixtures.ts';

/** The device an event carries, if it carries one (not `device.deleted`, `device.key_rotated`). */
const deviceOf = (e: DatahubEvent) => ('device' in e.data ? e.data.device : undefined);

/** Two districts split at longitude 120.1: west is 330102, east 330105. */
const locate = (_lat: number, lon: number) =>
  lon < 120.1
    ? { district: { code: '330102' }, street: { code: '330102001' }, grid: { code: '33010200100101' } }
    : { district: { code: '330105' }, street: { code: '330105001' }, grid: { code: '33010500100101' } };

for (const backend of testBackends()) {
  describe(`devices (${backend})`, () => {
    let app: TestApp;
    let admin: string;
    const events: DatahubEvent[] = [];
    const call = (method: string, url: string, payload?: unknown, key = admin) =>
      app.app.inject({
        method: method as 'GET',
        url,
        headers: { 'x-api-key': key },
        ...(payload ? { payload: payload as Record<string, unknown> } : {}),
      });

    before(async () => {
      app = await buildTestApp(backend, {
        env: { DEVICE_OFFLINE_AFTER_SECONDS: '600' },
        capabilities: [identityCapability, auditCapability, createDatahubCapability({ locate })],
      });
      datahubEvents.subscribe(app.kernel.bus, 'device.*', (e) => {
        events.push(e);
      });
      admin = await serviceKey(app);
    });
    after(() => app.dispose());

    test('register: location resolved to divisions, key shown once and stored hashed', async () => {
      const res = await call('POST', '/api/v1/devices', {
        id: 'aq-west',
        name: 'West station',
        sensorType: 'air-quality-station',
        location: { lat: 30.2, lon: 120.05 },
        departmentCode: 'ecology-environment',
      });
      assert.equal(res.statusCode, 201);
      assert.equal(res.headers.location, '/api/v1/devices/aq-west');
      const { device, key } = res.json();
      assert.match(key, /^ocd_[A-Za-z0-9_-]{32}$/);
      assert.equal(device.divisionCode, '33010200100101');
      assert.equal(device.districtCode, '330102');
      assert.equal(device.moduleId, 'environment');
      assert.equal(device.ngsiType, 'AirQualityObserved');
      assert.equal(device.status, 'active');
      assert.equal(device.offline, false);
      assert.equal(device.keyPrefix, key.slice(0, 12));
      const stored = await app.kernel.db
        .selectFrom('datahub_device')
        .select('key_hash')
        .where('id', '=', 'aq-west')
        .executeTakeFirstOrThrow();
      assert.match(stored.key_hash, /^[0-9a-f]{64}$/);
      assert.notEqual(stored.key_hash, key);
      const audit = await app.kernel.db
        .selectFrom('audit_record')
        .select(['action', 'actor'])
        .where('object_type', '=', 'device')
        .where('object_id', '=', 'aq-west')
        .execute();
      assert.deepEqual(audit, [{ action: 'device.register', actor: 'datahub-svc' }]);
      assert.deepEqual(
        events.map((e) => [e.type, deviceOf(e)?.id]),
        [['device.registered', 'aq-west']],
      );
    });

    test('refusals: duplicate id, unknown sensor type, bad slug, no permission', async () => {
      const dup = await call('POST', '/api/v1/devices', {
        id: 'aq-west',
        name: 'x',
        sensorType: 'noise-monitor',
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, 'device.exists');
      const unknown = await call('POST', '/api/v1/devices', { id: 'x-1', name: 'x', sensorType: 'teapot' });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().code, 'device.unknown_sensor_type');
      const slug = await call('POST', '/api/v1/devices', {
        id: 'Bad Id',
        name: 'x',
        sensorType: 'noise-monitor',
      });
      assert.equal(slug.statusCode, 400);
      const reader = await serviceKey(app, 'dev-reader', ['city_leader'], ['device.read']);
      const denied = await call(
        'POST',
        '/api/v1/devices',
        { id: 'x-2', name: 'x', sensorType: 'noise-monitor' },
        reader,
      );
      assert.equal(denied.statusCode, 403);
      const anonymous = await app.app.inject({ url: '/api/v1/devices' });
      assert.equal(anonymous.statusCode, 401);
    });

    test('list and filter; jurisdiction hides devices of other districts (404, not 403)', async () => {
      await addDevice(app, admin, {
        id: 'noise-east',
        name: 'East',
        sensorType: 'noise-monitor',
        location: { lat: 30.2, lon: 120.15 },
      });
      const all = (await call('GET', '/api/v1/devices')).json();
      assert.deepEqual(
        all.items.map((d: { id: string }) => d.id),
        ['aq-west', 'noise-east'],
      );
      assert.equal(all.total, 2);
      const noise = (await call('GET', '/api/v1/devices?sensorType=noise-monitor')).json();
      assert.deepEqual(
        noise.items.map((d: { id: string }) => d.id),
        ['noise-east'],
      );
      const east = (await call('GET', '/api/v1/devices?division=330105')).json();
      assert.deepEqual(
        east.items.map((d: { id: string }) => d.id),
        ['noise-east'],
      );
      const westOfficer = await serviceKey(app, 'west-officer', ['street_officer'], ['device.read'], {
        divisionCodes: ['330102'],
      });
      const seen = (await call('GET', '/api/v1/devices', undefined, westOfficer)).json();
      assert.deepEqual(
        seen.items.map((d: { id: string }) => d.id),
        ['aq-west'],
      );
      assert.equal((await call('GET', '/api/v1/devices/noise-east', undefined, westOfficer)).statusCode, 404);
      assert.equal(
        (await call('GET', '/api/v1/datastreams/noise-east.laeq/observations', undefined, westOfficer))
          .statusCode,
        404,
      );
      const handler = await serviceKey(app, 'eco-handler', ['department_handler'], ['device.read'], {
        departmentCodes: ['ecology-environment'],
        divisionCodes: ['330199'],
      });
      const own = (await call('GET', '/api/v1/devices', undefined, handler)).json();
      assert.deepEqual(
        own.items.map((d: { id: string }) => d.id),
        ['aq-west'],
      );
    });

    test('update: moving a device re-resolves its divisions; the change is announced', async () => {
      events.length = 0;
      const res = await call('PATCH', '/api/v1/devices/noise-east', {
        name: 'Now west',
        location: { lat: 30.21, lon: 120.02 },
        status: 'maintenance',
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().districtCode, '330102');
      assert.equal(res.json().status, 'maintenance');
      assert.deepEqual(
        events.map((e) => [e.type, deviceOf(e)?.name]),
        [['device.updated', 'Now west']],
      );
      const cleared = await call('PATCH', '/api/v1/devices/noise-east', { location: null });
      assert.equal(cleared.json().location, null);
      assert.equal(cleared.json().divisionCode, null);
    });

    test('inactive devices have their observations refused', async () => {
      const { key } = await addDevice(app, admin, {
        id: 'noise-off',
        name: 'Off',
        sensorType: 'noise-monitor',
      });
      await call('PATCH', '/api/v1/devices/noise-off', { status: 'inactive' });
      const res = await postObservations(app, key, [
        { property: 'laeq', time: '2026-03-02T00:00:00Z', value: 50 },
      ]);
      assert.deepEqual(res.json().rejected, [{ index: 0, reason: 'device.inactive' }]);
    });

    test('liveness: silent devices are flagged offline and come back with their next observation', async () => {
      const { key } = await addDevice(app, admin, {
        id: 'noise-live',
        name: 'Live',
        sensorType: 'noise-monitor',
      });
      const first = await postObservations(app, key, [
        { property: 'laeq', time: '2026-03-02T00:59:00Z', value: 50 },
      ]);
      assert.equal(first.json().accepted, 1);
      const seen = (await call('GET', '/api/v1/devices/noise-live')).json();
      assert.equal(seen.lastSeenAt, '2026-03-02T01:00:00.000Z');
      app.clock.advance(599_000);
      let offline = await sweepOfflineDevices(app.kernel.db, hubFor(app), app.clock.now(), 600);
      assert.ok(!offline.some((d) => d.id === 'noise-live'));
      app.clock.advance(2_000);
      offline = await sweepOfflineDevices(app.kernel.db, hubFor(app), app.clock.now(), 600);
      assert.ok(offline.some((d) => d.id === 'noise-live'));
      assert.equal((await call('GET', '/api/v1/devices/noise-live')).json().offline, true);
      const offlineList = (await call('GET', '/api/v1/devices?offline=true')).json();
      assert.ok(offlineList.items.some((d: { id: string }) => d.id === 'noise-live'));
      events.length = 0;
      await postObservations(app, key, [{ property: 'laeq', time: '2026-03-02T01:05:00Z', value: 52 }]);
      await app.services(DATAHUB).drain();
      const back = (await call('GET', '/api/v1/devices/noise-live')).json();
      assert.equal(back.offline, false);
      assert.equal(back.lastSeenAt, app.clock.now().toISOString());
      assert.ok(
        events.some(
          (e) => e.type === 'device.updated' && e.data.device.id === 'noise-live' && !e.data.device.offline,
        ),
      );
    });

    test('delete removes the device with its datastreams and observations', async () => {
      const { key } = await addDevice(app, admin, {
        id: 'noise-gone',
        name: 'Gone',
        sensorType: 'noise-monitor',
      });
      await postObservations(app, key, [{ property: 'laeq', time: '2026-03-02T00:00:00Z', value: 50 }]);
      const res = await call('DELETE', '/api/v1/devices/noise-gone');
      assert.equal(res.statusCode, 204);
      assert.equal((await call('GET', '/api/v1/devices/noise-gone')).statusCode, 404);
      const left = await app.kernel.db
        .selectFrom('datahub_datastream')
        .select('id')
        .where('device_id', '=', 'noise-gone')
        .execute();
      assert.deepEqual(left, []);
      const again = await postObservations(app, key, [
        { property: 'laeq', time: '2026-03-02T00:01:00Z', value: 50 },
      ]);
      assert.equal(again.statusCode, 401);
    });
  });
}

/** The sweep needs the hub's caches; any context over the same database works for the test. */
function hubFor(app: TestApp) {
  return (app.app as unknown as { datahub: Parameters<typeof sweepOfflineDevices>[1] }).datahub;
}
