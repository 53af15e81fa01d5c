/**
 * MQTT observation ingestion through the machine's Mosquitto (BENCH_MQTT_URL, default
 * mqtt://127.0.0.1:1883) into the embedded database: QoS 1 messages, each acknowledged only
 * after it is stored. Measured from the first publish until every observation is stored,
 * for one-observation messages and for messages of 100, with one consumer and with four
 * sharing the subscription. The ceiling is a bare mqtt.js subscriber that acknowledges at
 * once and stores nothing, fed the same messages through the same broker.
 * `BENCH_NO_NGSI=1` leaves out the NGSI-LD capability (see ingest-http).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import { buildApp, coreCapabilities } from '../src/app.ts';
import { createDatahubCapability, DATAHUB, registerDevice } from '../src/datahub/index.ts';
import { systemActor } from '../src/identity/index.ts';
import { createLogger, loadConfig, openStorage } from '../src/kernel/index.ts';
import { BENCH_ENV, type BenchResult } from './bench-kit.ts';

export const name = 'ingest-mqtt';

const MQTT_URL = process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const DEVICES = 50;
const WINDOW = 500;

interface Scenario {
  messages: number;
  perMessage: number;
}

/**
 * Publishes the scenario's messages with QoS 1 from four publishers, never more than
 * `WINDOW` ahead of what the consumer has acknowledged: the broker acknowledges publishers
 * at once and queues for the consumer, and Mosquitto drops QoS 1 messages beyond
 * `max_queued_messages` (1,000 by default) of a session's queue.
 */
async function publishAll(
  prefix: string,
  keys: Map<string, string>,
  scenario: Scenario,
  base: number,
  acknowledged: () => number,
): Promise<void> {
  const publishers = await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      mqtt.connectAsync(MQTT_URL, { clientId: `${prefix}-pub-${i}`, clean: true }),
    ),
  );
  const ids = [...keys.keys()];
  const sends: Promise<unknown>[] = [];
  for (let m = 0; m < scenario.messages; m++) {
    while (m - acknowledged() >= WINDOW) await new Promise((r) => setTimeout(r, 2));
    const device = ids[m % ids.length];
    const round = Math.floor(m / ids.length);
    const items = Array.from({ length: scenario.perMessage }, (_, k) => ({
      property: 'laeq',
      time: new Date(base + (round * scenario.perMessage + k) * 1000).toISOString(),
      value: 40 + (k % 30),
    }));
    const payload = JSON.stringify(
      scenario.perMessage === 1 ? { key: keys.get(device), ...items[0] } : { key: keys.get(device), items },
    );
    sends.push(publishers[m % 4].publishAsync(`onecity/devices/${device}/observations`, payload, { qos: 1 }));
  }
  await Promise.all(sends);
  await Promise.all(publishers.map((p) => p.endAsync()));
}

/** The broker-only ceiling: messages/s a subscriber that acknowledges at once receives. */
async function brokerCeiling(prefix: string, scenario: Scenario): Promise<number> {
  const topicDevice = `${prefix}-ceiling`;
  let received = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((r) => {
    done = r;
  });
  const sub = await mqtt.connectAsync(MQTT_URL, {
    clientId: `${prefix}-ceiling-sub`,
    clean: true,
    protocolVersion: 5,
    customHandleAcks: (_t, _m, _p, ack) => {
      ack(0);
      if (++received === scenario.messages) done();
    },
  });
  await sub.subscribeAsync(`onecity/devices/${topicDevice}/observations`, { qos: 1 });
  const keys = new Map([[topicDevice, 'none']]);
  const started = performance.now();
  await publishAll(prefix, keys, scenario, Date.now(), () => received);
  await all;
  const seconds = (performance.now() - started) / 1000;
  await sub.endAsync();
  return scenario.messages / seconds;
}

async function measure(consumers: number, scenario: Scenario): Promise<{ msgs: number; obs: number }> {
  const run = randomBytes(3).toString('hex');
  const prefix = `onecity-bench-${run}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onecity-bench-mqtt-'));
  const storage = await openStorage({ dataDir });
  const datahub = createDatahubCapability({
    mqttClientId: prefix,
    mqttConsumers: consumers,
    mqttSessionExpirySeconds: 30,
  });
  const built = await buildApp({
    config: loadConfig({
      env: {
        ...BENCH_ENV,
        DATA_DIR: dataDir,
        MQTT_URL,
      },
      file: null,
    }),
    storage,
    logger: createLogger({ logLevel: 'warn', logPretty: false }),
    background: false,
    capabilities: coreCapabilities
      .filter((c) => !(process.env.BENCH_NO_NGSI && c.name === 'ngsi-ld'))
      .map((c) => (c.name === 'datahub' ? datahub : c)),
  });
  try {
    const { kernel } = built;
    const hub = built.services(DATAHUB).context;
    const actor = { ...systemActor(kernel.clock.now()), bus: kernel.bus };
    const keys = new Map<string, string>();
    for (let i = 0; i < DEVICES; i++) {
      const id = `${prefix}-${i}`;
      keys.set(
        id,
        (await registerDevice(kernel.db, hub, { id, name: id, sensorType: 'noise-monitor' }, actor)).key,
      );
    }
    const ingest = built.services(DATAHUB).mqtt()!;
    await ingest.ready();
    let acked = 0;
    for (const client of ingest.clients)
      client.on('packetsend', (packet: { cmd: string }) => {
        if (packet.cmd === 'puback') acked++;
      });
    const total = scenario.messages * scenario.perMessage;
    const started = performance.now();
    await publishAll(prefix, keys, scenario, Date.now() - 10 * 86_400_000, () => acked);
    for (;;) {
      const n = (
        await sql<{ n: number }>`select count(*)::int as n from datahub_observation`.execute(kernel.db)
      ).rows[0].n;
      if (n >= total) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await built.services(DATAHUB).drain();
    return { msgs: scenario.messages / seconds, obs: total / seconds };
  } finally {
    await built.close();
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
    // Remove the consumers' persistent sessions from the broker.
    for (let i = 0; i < consumers; i++) {
      const id = consumers > 1 ? `${prefix}-${i}` : prefix;
      const c = await mqtt.connectAsync(MQTT_URL, { clientId: id, clean: true, protocolVersion: 5 });
      await c.endAsync();
    }
  }
}

export async function run(): Promise<BenchResult[]> {
  const single: Scenario = { messages: 3000, perMessage: 1 };
  const batched: Scenario = { messages: 500, perMessage: 100 };
  const ceilingSingle = Math.round(await brokerCeiling(`onecity-bench-c1-${process.pid}`, single));
  const results: BenchResult[] = [];
  for (const consumers of [1, 4, 16]) {
    const one = await measure(consumers, single);
    results.push({
      name: `QoS 1, 1 observation per message, ${consumers} consumer${consumers > 1 ? 's' : ''}`,
      value: Math.round(one.msgs),
      unit: 'msg/s',
      ceiling: { name: 'broker round trip, no storage', value: ceilingSingle },
      notes: 'each message acknowledged after commit',
    });
    const many = await measure(consumers, batched);
    results.push({
      name: `QoS 1, 100 observations per message, ${consumers} consumer${consumers > 1 ? 's' : ''}`,
      value: Math.round(many.obs),
      unit: 'obs/s',
      notes: `${Math.round(many.msgs)} msg/s`,
    });
  }
  return results;
}
