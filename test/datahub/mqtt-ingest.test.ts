/**
 * MQTT ingestion against the machine's Mosquitto (TEST_MQTT_URL, default
 * mqtt://127.0.0.1:1883): ack after store, dead letters, broker restart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { auditCapability } from '../../src/audit/index.ts';
import { createDatahubCapability, DATAHUB } from '../../src/datahub/index.ts';
import { identityCapability } from '../../src/identity/index.ts';
import { orgCapability } from '../../src/org/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { patience } from '../support/processes.ts';
import { testBackends } from '../support/storage.ts';
import { addDevice, serviceKey } from './datahub-fixtures.ts';

const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 1883) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + patience(ms);
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const brokerUp = await reachable(MQTT_URL);
const skip = brokerUp ? false : `no MQTT broker at ${MQTT_URL}`;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

for (const backend of testBackends()) {
  describe(`MQTT ingestion (${backend})`, { skip }, () => {
    let app: TestApp;
    let publisher: mqtt.MqttClient;
    const run = randomBytes(4).toString('hex');
    const clientId = `onecity-test-${run}`;
    const deviceId = `noise-mq-${run}`;
    let key: string;
    const topic = `onecity/devices/${deviceId}/observations`;

    const stored = async (minute: number) =>
      (
        await sql<{ n: number }>`select count(*)::int as n from datahub_observation o
          join datahub_datastream s on s.id = o.datastream_id
          where s.device_id = ${deviceId} and o.time = ${new Date(at(minute))}`.execute(app.kernel.db)
      ).rows[0].n > 0;
    const count = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from datahub_observation o
          join datahub_datastream s on s.id = o.datastream_id where s.device_id = ${deviceId}`.execute(
          app.kernel.db,
        )
      ).rows[0].n;
    const deadLetters = async () =>
      (
        await app.kernel.db
          .selectFrom('datahub_dead_letter')
          .select(['reason', 'payload'])
          .where('device_id', '=', deviceId)
          .orderBy('id')
          .execute()
      ).map((r) => r.reason as string);

    before(async () => {
      app = await buildTestApp(backend, {
        env: { MQTT_URL },
        capabilities: [
          identityCapability,
          auditCapability,
          // The data hub places devices with org's point lookup.
          orgCapability,
          createDatahubCapability({
            mqttClientId: clientId,
            mqttSessionExpirySeconds: 120,
          }),
        ],
      });
      const admin = await serviceKey(app);
      key = (await addDevice(app, admin, { id: deviceId, name: 'MQTT noise', sensorType: 'noise-monitor' }))
        .key;
      await app.services(DATAHUB).mqtt()!.ready();
      publisher = await mqtt.connectAsync(MQTT_URL, {
        clientId: `pub-${run}`,
        clean: true,
        reconnectPeriod: 200,
      });
    });
    after(async () => {
      await publisher?.endAsync();
      await app?.dispose();
      // Remove the persistent sessions from the broker.
      const cleanup = await mqtt.connectAsync(MQTT_URL, { clientId, clean: true, protocolVersion: 5 });
      await cleanup.endAsync();
    });

    test('a QoS 1 message is acknowledged only after its observations are committed', async () => {
      const consumers = app.services(DATAHUB).mqtt()!.clients;
      assert.equal(consumers.length, 1);
      const pubacks: number[] = [];
      const onSend = (packet: mqtt.Packet) => {
        if (packet.cmd === 'puback') pubacks.push(Date.now());
      };
      for (const c of consumers) c.on('packetsend', onSend);
      // Hold the observation table: the write must wait, and so must the PUBACK.
      let released = 0;
      const holding = app.kernel.db.transaction().execute(async (trx) => {
        await sql`lock table datahub_observation in exclusive mode`.execute(trx);
        await sleep(700);
        released = Date.now();
      });
      await sleep(50);
      await publisher.publishAsync(
        topic,
        JSON.stringify({ key, property: 'laeq', time: at(0), value: 51.5 }),
        {
          qos: 1,
        },
      );
      await sleep(300);
      assert.equal(pubacks.length, 0, 'no PUBACK while the row cannot be written');
      await holding;
      await until('the PUBACK', async () => pubacks.length > 0);
      for (const c of consumers) c.off('packetsend', onSend);
      assert.ok(pubacks[0] >= released, 'PUBACK after the write could commit');
      assert.equal(await stored(0), true);
    });

    test('a published batch is stored, and republishing it changes nothing (idempotent)', async () => {
      const items = Array.from({ length: 50 }, (_, i) => ({
        property: 'laeq',
        time: at(10 + i),
        value: 50 + (i % 7),
      }));
      await publisher.publishAsync(topic, JSON.stringify({ key, items }), { qos: 1 });
      await publisher.publishAsync(topic, JSON.stringify({ key, items }), { qos: 1 });
      await until('50 rows', async () => (await count()) >= 51);
      await sleep(300);
      assert.equal(await count(), 51);
    });

    test('malformed messages go to dead letters with the reason; good items of a message are kept', async () => {
      await publisher.publishAsync(topic, 'not json', { qos: 1 });
      await publisher.publishAsync(topic, JSON.stringify({ key, hello: 1 }), { qos: 1 });
      await publisher.publishAsync(
        topic,
        JSON.stringify({ key: 'ocd_wrong', property: 'laeq', time: at(1), value: 1 }),
        {
          qos: 1,
        },
      );
      await publisher.publishAsync(topic, JSON.stringify({ property: 'laeq', time: at(1), value: 1 }), {
        qos: 1,
      });
      await publisher.publishAsync(
        topic,
        JSON.stringify({
          key,
          items: [
            { property: 'laeq', time: at(100), value: 60 },
            { property: 'laeq', time: 'yesterday', value: 60 },
          ],
        }),
        { qos: 1 },
      );
      const reasons = await until('five dead letters', async () => {
        const r = await deadLetters();
        return r.length >= 5 ? r : null;
      });
      assert.deepEqual(reasons, [
        'payload.not_json',
        'payload.no_items',
        'auth.key_invalid',
        'auth.key_missing',
        'items.rejected [{"index":1,"reason":"time.invalid"}]',
      ]);
      assert.equal(await stored(100), true);
      const listed = await app.app.inject({
        url: `/api/v1/datahub/dead-letters?deviceId=${deviceId}`,
        headers: { 'x-api-key': await serviceKey(app, 'dl-reader') },
      });
      assert.equal(listed.json().items.length, 5);
      assert.equal(listed.json().items[4].payload, 'not json');
    });

    test('U+0000, 1e309 and deep nesting are dead letters, not a message retried for ever', async () => {
      const before = (await deadLetters()).length;
      const withKey = (text: string) => text.replace('KEY', key);
      // A raw NUL byte (not JSON), an escaped one in the key, an infinite value, 5,000 arrays deep.
      await publisher.publishAsync(topic, Buffer.from('{"key":"\u0000"}'), { qos: 1 });
      await publisher.publishAsync(
        topic,
        withKey('{"key":"KEY\\u0000","property":"laeq","time":"T","value":1}'),
        {
          qos: 1,
        },
      );
      await publisher.publishAsync(
        topic,
        withKey(`{"key":"KEY","property":"laeq","time":"${at(3)}","value":1e309}`),
        { qos: 1 },
      );
      await publisher.publishAsync(topic, `${'['.repeat(5000)}${']'.repeat(5000)}`, { qos: 1 });
      await publisher.publishAsync(topic, JSON.stringify({ key, property: 'laeq', time: at(4), value: 61 }), {
        qos: 1,
      });
      await until('the good message behind them stored', () => stored(4));
      const reasons = await until('four more dead letters', async () => {
        const r = await deadLetters();
        return r.length >= before + 4 ? r.slice(before) : null;
      });
      assert.deepEqual(reasons, [
        'payload.not_json',
        'payload.invalid_text',
        'payload.invalid_number',
        'payload.too_deep',
      ]);
      assert.equal(await stored(3), false);
      const raw = await app.kernel.db
        .selectFrom('datahub_dead_letter')
        .select('payload')
        .where('device_id', '=', deviceId)
        .where('reason', '=', 'payload.not_json')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(raw.payload, '{"key":"\\u0000"}');
    });

    test('after a broker restart the consumer reconnects and nothing acknowledged is lost', {
      skip: process.getuid?.() === 0 ? false : 'restarting Mosquitto needs root',
    }, async () => {
      const before = await count();
      const publish = (from: number, n: number) =>
        Promise.all(
          Array.from({ length: n }, (_, i) =>
            publisher.publishAsync(
              topic,
              JSON.stringify({ key, property: 'laeq', time: at(200 + from + i), value: 40 + i }),
              { qos: 1 },
            ),
          ),
        );
      // Keep the first messages unacknowledged by us while the broker goes down: the
      // write waits on a lock, so they are still in flight when the broker stops.
      let release = () => {};
      const released = new Promise<void>((r) => {
        release = r;
      });
      const holding = app.kernel.db.transaction().execute(async (trx) => {
        await sql`lock table datahub_observation in exclusive mode`.execute(trx);
        await released;
      });
      await sleep(50);
      await publish(0, 20);
      await sleep(200);
      const pid = Number(readFileSync('/run/mosquitto/mosquitto.pid', 'utf8').trim());
      process.kill(pid, 'SIGTERM');
      await until('the broker to stop', async () => !(await reachable(MQTT_URL)), 10_000);
      // Published while the broker is down: the publisher keeps them and resends.
      const whileDown = publish(20, 20);
      await sleep(500);
      execFileSync('mosquitto', ['-d', '-c', '/etc/mosquitto/mosquitto.conf']);
      await until('the broker', () => reachable(MQTT_URL), 10_000);
      release();
      await holding;
      await whileDown;
      await publish(40, 20);
      await until('the consumer to resubscribe', async () => app.services(DATAHUB).mqtt()!.connected, 20_000);
      await until('all 60 observations', async () => (await count()) >= before + 60, 30_000);
      assert.equal(await count(), before + 60);
    });
  });
}
