/**
 * MQTT ingestion: subscribes with QoS 1 to `onecity/devices/+/observations` in a persistent
 * session (clean start off, a stable client id), so messages published while this node is
 * away wait in the broker. A message is acknowledged (PUBACK) only after its observations
 * are committed: mqtt.js's `customHandleAcks` holds the PUBACK until we call back, and
 * mqtt.js reads the next packet only after that, so a full write queue stops reading and
 * TCP flow control slows the broker down. Malformed messages are stored as dead letters
 * with the reason, then acknowledged. Storage failures are retried, never acknowledged.
 *
 * Authentication is by the `key` field of the payload: the broker does not tell a
 * subscriber who published, so the device key travels with the data and must belong to
 * the device named in the topic.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  type Clock,
  type Db,
  DomainError,
  findUnfitValue,
  jsonNestedDeeperThan,
  redactUrl,
} from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import { recordDeadLetter } from './dead-letters.ts';
import { ingestObservations, itemsOf } from './ingestion.ts';
import type { ObservationWriter } from './observation-writer.ts';

/** The topic filter devices publish under; `+` is the device id. */
export const OBSERVATION_TOPIC = 'onecity/devices/+/observations';
const TOPIC = /^onecity\/devices\/([^/]+)\/observations$/;

export interface MqttIngestOptions {
  url: string;
  /** Stable client id: the broker keeps this session's subscription and queue across restarts. */
  clientId: string;
  /**
   * Parallel consumers (default 1), sharing the subscription (`$share/<clientId>/…`) when more
   * than one: mqtt.js hands a consumer its next message only after the PUBACK of the previous,
   * so consumers are what puts several messages into one write. Mosquitto 2.0 does not keep
   * shared subscriptions across its own restart (docs/datahub.md), hence the default.
   */
  consumers?: number;
  db: Db;
  clock: Clock;
  logger: Logger;
  hub: DatahubContext;
  writer: ObservationWriter;
  /** Deepest nesting of arrays and objects a payload may have (`BODY_MAX_DEPTH`). */
  maxJsonDepth: number;
  /** How long the broker keeps the session while we are away (default a week). */
  sessionExpirySeconds?: number;
  /** First reconnection delay; doubles up to `maxReconnectMs` (defaults 250 ms, 30 s). */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

export interface MqttIngest {
  /** The consumers' clients (tests watch their PUBACKs). */
  readonly clients: readonly MqttClient[];
  /** True when every consumer is connected and subscribed. */
  readonly connected: boolean;
  /** Resolves when every consumer is connected and subscribed. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects and starts consuming; reconnects with backoff until stopped. */
export function startMqttIngest(options: MqttIngestOptions): MqttIngest {
  const { logger } = options;
  const n = Math.max(1, options.consumers ?? 1);
  const minDelay = options.minReconnectMs ?? 250;
  const maxDelay = options.maxReconnectMs ?? 30_000;
  const filter = n > 1 ? `$share/${options.clientId}/${OBSERVATION_TOPIC}` : OBSERVATION_TOPIC;
  let stopping = false;
  const subscribed = new Set<MqttClient>();
  let readyWaiters: Array<() => void> = [];

  const handle = async (topic: string, payload: Buffer): Promise<void> => {
    const m = TOPIC.exec(topic);
    const deviceId = m?.[1] ?? null;
    const text = payload.toString('utf8');
    const dead = (reason: string) =>
      retrying(() =>
        recordDeadLetter(options.db, {
          source: 'mqtt',
          topic,
          deviceId,
          payload: text,
          reason,
          at: options.clock.now(),
        }),
      );
    if (!deviceId) return dead('topic.invalid');
    if (jsonNestedDeeperThan(text, options.maxJsonDepth)) return dead('payload.too_deep');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return dead('payload.not_json');
    }
    // The store cannot hold U+0000 nor take Infinity: such a message would fail there and be
    // retried for ever, holding up the messages behind it.
    const unfit = findUnfitValue(body);
    if (unfit) return dead(unfit.problem === 'text' ? 'payload.invalid_text' : 'payload.invalid_number');
    const items = itemsOf(body);
    if (!items) return dead('payload.no_items');
    const key = (body as { key?: unknown }).key;
    if (typeof key !== 'string') return dead('auth.key_missing');
    const owner = await retrying(() => options.hub.catalog.deviceForKey(key));
    if (owner !== deviceId) return dead('auth.key_invalid');
    await options.writer.whenRoom(items.length);
    let report: Awaited<ReturnType<typeof ingestObservations>>;
    try {
      report = await retrying(() =>
        ingestObservations(options.hub, options.writer, { kind: 'device', deviceId }, items, {
          now: options.clock.now(),
        }),
      );
    } catch (err) {
      if (err instanceof DomainError) return dead(err.code);
      throw err;
    }
    if (report.rejected.length) await dead(`items.rejected ${JSON.stringify(report.rejected.slice(0, 100))}`);
  };

  /** Retries storage failures (not domain errors) until they pass or we stop. */
  async function retrying<T>(work: () => Promise<T>): Promise<T> {
    let delay = 100;
    for (;;) {
      try {
        return await work();
      } catch (err) {
        if (err instanceof DomainError && err.code !== 'ingest.overloaded') throw err;
        if (stopping) throw err;
        logger.warn({ err }, 'mqtt ingestion: storing failed; retrying');
        await sleep(delay);
        delay = Math.min(5_000, delay * 2);
      }
    }
  }

  const clients: MqttClient[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = n > 1 ? `${options.clientId}-${i}` : options.clientId;
    const client = mqtt.connect(options.url, {
      clientId,
      clean: false,
      protocolVersion: 5,
      // Keep the session (subscription and queued QoS 1 messages) a week while we are away.
      properties: {
        sessionExpiryInterval: options.sessionExpirySeconds ?? 7 * 24 * 3600,
        receiveMaximum: 100,
      },
      reconnectPeriod: minDelay,
      connectTimeout: 5_000,
      customHandleAcks: (topic, message, _packet, done) => {
        handle(topic, message).then(
          () => done(0),
          (err) => {
            // No PUBACK: the broker redelivers the message to this session after reconnect.
            logger.error({ err, topic }, 'mqtt ingestion: message not stored');
            if (!stopping) client.end(true, () => client.reconnect());
          },
        );
      },
    });
    client.on('connect', (connack) => {
      client.options.reconnectPeriod = minDelay;
      logger.info({ clientId, sessionPresent: connack.sessionPresent }, 'mqtt ingestion connected');
      client.subscribe(filter, { qos: 1 }, (err) => {
        if (err) {
          logger.error({ err }, 'mqtt ingestion: subscribe failed');
          return;
        }
        subscribed.add(client);
        if (subscribed.size === n) {
          const waiters = readyWaiters;
          readyWaiters = [];
          for (const w of waiters) w();
        }
      });
    });
    client.on('close', () => {
      subscribed.delete(client);
      if (stopping) return;
      const next = Math.min(maxDelay, Math.max(minDelay, (client.options.reconnectPeriod ?? minDelay) * 2));
      client.options.reconnectPeriod = next;
    });
    client.on('error', (err) =>
      logger.warn({ err: err.message, url: redactUrl(options.url) }, 'mqtt ingestion error'),
    );
    clients.push(client);
  }

  return {
    clients,
    get connected() {
      return subscribed.size === n;
    },
    ready() {
      if (subscribed.size === n) return Promise.resolve();
      return new Promise((resolve) => readyWaiters.push(resolve));
    },
    async stop() {
      stopping = true;
      await Promise.all(clients.map((c) => c.endAsync(false)));
    },
  };
}
