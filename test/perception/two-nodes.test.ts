/**
 * Two nodes on one database evaluate the same device at the same time, by event and by
 * tick: the state row's lock lets one decide and the other find nothing new, so the hour of
 * heavy pollution is one alert, announced once, with one case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildApp, type OneCityApp } from '../../src/app.ts';
import { DATAHUB, seedDemoSensors } from '../../src/datahub/index.ts';
import { loadConfig, ManualClock, type Storage } from '../../src/kernel/index.ts';
import { seedDemoCity } from '../../src/org/index.ts';
import { PERCEPTION, type PerceptionEvent, perceptionEvents } from '../../src/perception/index.ts';
import { serviceKey } from '../datahub/datahub-fixtures.ts';
import { type TestApp, testLogger } from '../support/app.ts';
import { closeTestStorage, openTestStorage, testBackends } from '../support/storage.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T02:00:00Z');

for (const backend of testBackends()) {
  describe(`perception on two nodes (${backend})`, () => {
    let storage: Storage & { schema?: string };
    const clock = new ManualClock(T0);
    const config = loadConfig({
      env: {
        LOG_LEVEL: 'silent',
        ONECITY_SEED_DEMO: 'false',
        RATE_LIMIT_PER_MINUTE: '0',
        RATE_LIMIT_SERVICE_PER_MINUTE: '0',
        SCHEDULER_ENABLED: 'false',
      },
      file: null,
    });
    const nodes: OneCityApp[] = [];
    const events: PerceptionEvent[] = [];

    before(async () => {
      storage = await openTestStorage(backend);
      for (let i = 0; i < 2; i++) {
        const node = await buildApp({ config, storage, clock, background: false, logger: testLogger() });
        perceptionEvents.subscribe(node.kernel.bus, 'alert.*', (e) => {
          events.push(e);
        });
        nodes.push(node);
      }
    });
    after(async () => {
      for (const node of nodes) await node.close();
      await closeTestStorage(storage);
    });

    test('one alert and one case, however many nodes evaluate', async () => {
      const [a, b] = nodes as [OneCityApp, OneCityApp];
      await seedDemoCity(a, { seed: 2, password: 'Demo-two-nodes-2026' });
      await seedDemoSensors(a, { seed: 2 });
      const station = await a.kernel.db
        .selectFrom('datahub_device')
        .select('id')
        .where('sensor_type', '=', 'air-quality-station')
        .orderBy('id')
        .executeTakeFirstOrThrow();
      const key = await serviceKey(
        Object.assign(a, { clock }) as unknown as TestApp,
        'two-nodes',
        ['admin'],
        ['observation.ingest'],
      );
      // Both nodes watch the station from before the first observation.
      await Promise.all([a.services(PERCEPTION).tick(), b.services(PERCEPTION).tick()]);
      clock.set(T0 + 70 * MINUTE);
      const items = [];
      for (let m = 0; m <= 70; m += 5)
        items.push({
          device: station.id,
          property: 'pm25',
          time: new Date(T0 + m * MINUTE).toISOString(),
          value: 200,
        });
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'x-api-key': key },
        payload: { items },
      });
      assert.equal(res.statusCode, 200, res.body);
      // A's event wakes it while both nodes tick and B is woken as well.
      b.services(PERCEPTION).wake([station.id]);
      await Promise.all([
        a.services(DATAHUB).drain(),
        a.services(PERCEPTION).tick(),
        b.services(PERCEPTION).tick(),
        b.services(PERCEPTION).tick(),
      ]);
      await Promise.all(nodes.map((n) => n.services(PERCEPTION).idle()));
      await Promise.all(nodes.map((n) => n.services(PERCEPTION).tick()));
      await Promise.all(nodes.map((n) => n.services(PERCEPTION).idle()));

      const alerts = await a.kernel.db
        .selectFrom('perception_alert')
        .select(['id', 'state', 'case_status', 'case_id'])
        .where('rule_code', '=', 'env-aqi-heavy')
        .execute();
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.case_status, 'opened');
      const raised = events.filter((e) => e.type === 'alert.raised' && e.data.rule === 'env-aqi-heavy');
      assert.equal(raised.length, 1);
      const cases = await a.kernel.db
        .selectFrom('case_record')
        .select(['id', 'parent_alert_id'])
        .where('channel', '=', 'sensor_alert')
        .execute();
      assert.deepEqual(cases, [{ id: alerts[0]!.case_id, parent_alert_id: alerts[0]!.id }]);
    });
  });
}
