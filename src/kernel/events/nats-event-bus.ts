import {
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { DEFAULT_NATS_STREAM, DEFAULT_NATS_SUBJECT_PREFIX } from '../config.ts';
import { type EventBus, type EventHandler, LocalDispatcher, type PlatformEvent } from './event-bus.ts';

/** Where and how the cross-node bus keeps its events. */
export interface NatsEventBusOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222` (`NATS_URL`). */
  url: string;
  logger?: Logger;
  /** Called when a local subscriber throws; never thrown at the publisher. */
  onError?: (err: unknown, event: PlatformEvent) => void;
  /** JetStream stream name (default `ONECITY_EVENTS`, `NATS_STREAM`); tests isolate themselves with it. */
  streamName?: string;
  /** Subject prefix (`NATS_SUBJECT_PREFIX`); an event of type `case.filed` goes to `<prefix>.case.filed`. */
  subjectPrefix?: string;
  /** How long the stream keeps events (default 7 days). */
  maxAgeMs?: number;
  /** How many bytes the stream keeps at most (default 1 GiB); the oldest go first. */
  maxBytes?: number;
  /** Window in which a republished event id is dropped by the server (default 2 minutes). */
  duplicateWindowMs?: number;
  /** Connection name shown in NATS monitoring. */
  connectionName?: string;
}

/** The stream and subject prefix of a bus whose options name none (`NATS_STREAM`, `NATS_SUBJECT_PREFIX`). */
export {
  DEFAULT_NATS_STREAM as DEFAULT_EVENT_STREAM,
  DEFAULT_NATS_SUBJECT_PREFIX as DEFAULT_EVENT_SUBJECT_PREFIX,
} from '../config.ts';

/** Event types become NATS subject tokens, so they must not hold wildcards or spaces. */
const EVENT_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** How many recent event ids each node remembers to drop redeliveries. */
const SEEN_IDS = 10_000;

/**
 * The cross-node bus: every event is stored once in a JetStream stream (deduplicated by
 * event id) and every node reads the stream through its own ordered, ephemeral consumer,
 * so each node sees every event published after it started, in stream order, exactly once.
 */
export class NatsEventBus implements EventBus {
  readonly kind = 'nats' as const;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #local: LocalDispatcher;
  readonly #logger: Logger | undefined;
  readonly #stream: string;
  readonly #prefix: string;
  #consumer: Consumer | null = null;
  #messages: ConsumerMessages | null = null;
  /** Bumped whenever the consumer is replaced, so a stale read loop stops delivering. */
  #generation = 0;
  #restartTimer: NodeJS.Timeout | null = null;
  #loop: Promise<void> = Promise.resolve();
  /** Stream sequence of the last message handed to subscribers. */
  #lastSeq: number;
  #seen = new Set<string>();
  #closing: Promise<void> | null = null;

  private constructor(
    nc: NatsConnection,
    stream: string,
    prefix: string,
    startSeq: number,
    logger: Logger | undefined,
    onError: (err: unknown, event: PlatformEvent) => void,
  ) {
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#stream = stream;
    this.#prefix = prefix;
    this.#lastSeq = startSeq - 1;
    this.#logger = logger;
    this.#local = new LocalDispatcher(onError);
  }

  /** Connects, creates the stream if missing and starts reading from its current end. */
  static async connect(options: NatsEventBusOptions): Promise<NatsEventBus> {
    const stream = options.streamName ?? DEFAULT_NATS_STREAM;
    const prefix = options.subjectPrefix ?? DEFAULT_NATS_SUBJECT_PREFIX;
    const nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.connectionName ?? 'onecity',
      // Keep trying forever: a node outlives NATS restarts and rolling upgrades.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: 5000,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, stream, prefix, options);
      const info = await jsm.streams.info(stream);
      // Start right after the last stored message: "every event published after this node
      // started", independent of when the server-side consumer comes up.
      const bus = new NatsEventBus(
        nc,
        stream,
        prefix,
        info.state.last_seq + 1,
        options.logger,
        options.onError ?? (() => {}),
      );
      await bus.#startConsumer();
      bus.#watchConnection();
      return bus;
    } catch (err) {
      await nc.close().catch(() => {});
      throw err;
    }
  }

  /** The underlying connection, for health checks and tests (e.g. forcing a reconnect). */
  get connection(): NatsConnection {
    return this.#nc;
  }

  async publish(event: PlatformEvent): Promise<void> {
    if (this.#closing) throw new Error('The event bus is closed.');
    if (!EVENT_TYPE.test(event.type))
      throw new TypeError(`Event type "${event.type}" is not a dotted name of letters, digits, _ and -`);
    // msgID makes JetStream drop a second publish of the same event within the window.
    await this.#js.publish(`${this.#prefix}.${event.type}`, JSON.stringify(event), { msgID: event.id });
  }

  subscribe(pattern: string, handler: EventHandler): () => void {
    return this.#local.subscribe(pattern, handler);
  }

  /** Stops reading, lets the event being delivered finish, then drains the connection. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#restartTimer) clearTimeout(this.#restartTimer);
      await this.#stopConsumer();
      if (!this.#nc.isClosed()) await this.#nc.drain().catch(() => {});
    })();
    return this.#closing;
  }

  /** Opens an ordered consumer that starts right after the last delivered message. */
  async #startConsumer(): Promise<void> {
    const generation = ++this.#generation;
    const consumer = await this.#js.consumers.get(this.#stream, {
      filter_subjects: `${this.#prefix}.>`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.#lastSeq + 1,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    if (generation !== this.#generation || this.#closing) {
      await messages.close().catch(() => {});
      await consumer.delete().catch(() => {});
      return;
    }
    this.#consumer = consumer;
    this.#messages = messages;
    this.#loop = this.#read(messages, generation);
  }

  /** Closes the current consumer after the event being delivered, and removes it from the server. */
  async #stopConsumer(): Promise<void> {
    this.#generation++;
    const messages = this.#messages;
    const consumer = this.#consumer;
    this.#messages = null;
    this.#consumer = null;
    await messages?.close().catch(() => {});
    await this.#loop;
    if (!this.#nc.isClosed()) await consumer?.delete().catch(() => {});
  }

  async #read(messages: ConsumerMessages, generation: number): Promise<void> {
    try {
      for await (const m of messages) {
        if (generation !== this.#generation) break;
        // Never hand a stream message over twice, whatever the consumer replays.
        if (m.seq <= this.#lastSeq) continue;
        this.#lastSeq = m.seq;
        let event: PlatformEvent;
        try {
          event = m.json<PlatformEvent>();
        } catch (err) {
          this.#logger?.warn({ err, subject: m.subject, seq: m.seq }, 'dropped an unreadable event');
          continue;
        }
        if (this.#remember(event.id)) await this.#local.deliver(event);
      }
    } catch (err) {
      this.#logger?.warn({ err }, 'event consumer stopped');
    }
    // The consumer gave up on its own (e.g. the stream was deleted and re-created):
    // start a new one where this one stopped.
    if (generation === this.#generation) this.#restartLater(1000);
  }

  /** Replaces the consumer after `delayMs`, retrying with backoff until it works. */
  #restartLater(delayMs: number) {
    if (this.#closing || this.#nc.isClosed()) return;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(async () => {
      this.#restartTimer = null;
      if (this.#closing || this.#nc.isClosed()) return;
      try {
        await this.#stopConsumer();
        await this.#startConsumer();
      } catch (err) {
        this.#logger?.warn({ err }, 'could not restart the event consumer; retrying');
        this.#restartLater(Math.min(Math.max(delayMs, 500) * 2, 30_000));
      }
    }, delayMs);
    this.#restartTimer.unref();
  }

  #watchConnection() {
    (async () => {
      for await (const s of this.#nc.status()) {
        if (s.type === 'disconnect')
          this.#logger?.warn({ server: s.server }, 'NATS disconnected; reconnecting');
        else if (s.type === 'reconnect') {
          this.#logger?.info({ server: s.server }, 'NATS reconnected');
          // The client's pull consumer can stall after a reconnect (pending pulls are lost
          // with the old connection); a fresh consumer from the last delivered sequence
          // resumes exactly where this node stopped, including what was published meanwhile.
          this.#restartLater(0);
        }
      }
    })().catch(() => {});
  }

  /** True the first time an id is seen (within the last {@link SEEN_IDS} events). */
  #remember(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    if (this.#seen.size > SEEN_IDS) this.#seen.delete(this.#seen.values().next().value as string);
    return true;
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  stream: string,
  prefix: string,
  options: NatsEventBusOptions,
): Promise<void> {
  try {
    await jsm.streams.info(stream);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(options.maxAgeMs ?? 7 * 24 * 3_600_000),
      max_bytes: options.maxBytes ?? 1024 ** 3,
      duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    });
  } catch (err) {
    // Another node created it between our look and our add.
    await jsm.streams.info(stream).catch(() => {
      throw err;
    });
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: number; api_error?: { err_code?: number } };
  return (
    e?.name === 'StreamNotFoundError' ||
    e?.api_error?.err_code === 10059 ||
    /stream not found/i.test(String(e?.message ?? ''))
  );
}

/** Connects the cross-node bus; used by the kernel when `NATS_URL` is set. */
export function createNatsEventBus(options: NatsEventBusOptions): Promise<NatsEventBus> {
  return NatsEventBus.connect(options);
}
