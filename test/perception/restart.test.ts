/**
 * Perception across restarts: the evaluator's state lives in the database, so an app closed
 * and built again on the same database (PGlite's cluster, or the PostgreSQL schema) goes on
 * where it stopped, without a second alert; and observations stored while no evaluation ran
 * (a crash between the data hub's commit and the evaluation) are read from the table later.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildApp, coreCapabilities, type OneCityApp } from '../../src/app.ts';
import { DATAHUB } from '../../src/datahub/index.ts';
import { loadConfig, ManualClock, type Storage } from '../../src/kernel/index.ts';
import { PERCEPTION, perceptionMigrations } from '../../src/perception/index.ts';
import { addDevice, serviceKey } from '../datahub/datahub-fixtures.ts';
import { testLogger, type TestApp } from '../support/app.ts';
import { closeTestStorage, openTestStorage, testBackends } from '../support/storage.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T14:00:00Z');

for (const backend of testBackends()) {
  describe(`perception across restarts (${backend})`, () => {
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
    let app: OneCityApp | null = null;
    let admin: string;

    const build = async (withPerception = true) => {
      app = await buildApp({
        config,
        storage,
        clock,
        background: false,
        logger: testLogger(),
        // Without: the same tables, but nothing evaluates (a node that died before evaluating).
        capabilities: withPerception
          ? coreCapabilities
          : coreCapabilities.map((c) =>
              c.name === 'perception'
                ? { name: c.name, migrations: perceptionMigrations, create: () => ({}) }
                : c,
            ),
      });
      return app;
    };
    const close = async () => {
      await app?.close();
      app = null;
    };

    async function laeqNight(a: OneCityApp, minutes: number, value: number) {
      clock.set(T0 + minutes * MINUTE);
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'x-api-key': admin },
        payload: {
          items: [{ device: 'noise-r1', property: 'laeq_night', time: clock.now().toISOString(), value }],
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      await a.services(DATAHUB).drain();
      await a.services(PERCEPTION)?.idle?.();
    }

    const alerts = (a: OneCityApp) =>
      a.kernel.db
        .selectFrom('perception_alert')
        .selectAll()
        .where('rule_code', '=', 'env-noise-night')
        .orderBy('raised_at')
        .execute();

    before(async () => {
      storage = await openTestStorage(backend);
    });
    after(async () => {
      await close();
      await closeTestStorage(storage);
    });

    test('an alert raised before a restart is the one that goes on after it', async () => {
      const a = await build();
      const host = Object.assign(a, { clock }) as unknown as TestApp;
      admin = await serviceKey(
        host,
        'restart-admin',
        ['admin'],
        ['device.write', 'device.read', 'observation.ingest'],
      );
      await addDevice(host, admin, { id: 'noise-r1', name: 'Noise R1', sensorType: 'noise-monitor' });
      for (let m = 0; m <= 35; m += 5) await laeqNight(a, m, 60);
      const before = await alerts(a);
      assert.equal(before.length, 1);
      assert.equal(before[0]!.state, 'raised');
      assert.equal(new Date(before[0]!.raised_at).getTime(), T0 + 30 * MINUTE);
      await close();

      // Observations stored while nothing evaluates them (as if the node died right after
      // the data hub's commit).
      const b = await build(false);
      for (let m = 40; m <= 50; m += 5) await laeqNight(b, m, 60);
      await close();

      const c = await build();
      await laeqNight(c, 55, 60);
      const after = await alerts(c);
      assert.equal(after.length, 1, 'no second alert');
      assert.equal(after[0]!.id, before[0]!.id);
      assert.equal(after[0]!.state, 'raised');
      // 35 (before the restart), 40–50 read from the table, 55 minus the late margin.
      assert.ok(after[0]!.repeats >= 4, `repeats ${after[0]!.repeats}`);
      for (let m = 60; m <= 65; m += 5) await laeqNight(c, m, 40);
      const cleared = await alerts(c);
      assert.equal(cleared.length, 1);
      assert.equal(cleared[0]!.state, 'resolved');
      assert.equal(new Date(cleared[0]!.resolved_at!).getTime(), T0 + 60 * MINUTE);
      const state = await c.kernel.db
        .selectFrom('perception_device_state')
        .select('state')
        .where('device_id', '=', 'noise-r1')
        .executeTakeFirstOrThrow();
      assert.equal(state.state.horizon, T0 + 63 * MINUTE);
    });
  });
}
