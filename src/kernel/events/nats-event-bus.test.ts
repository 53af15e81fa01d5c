import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { patience } from '../../../test/support/processes.ts';
import { ManualClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { createKernel } from '../kernel.ts';
import { createLogger } from '../logger.ts';
import { openStorage, type Storage } from '../storage/index.ts';
import { createEvent, type PlatformEvent } from './event-bus.ts';
import { createNatsEventBus, type NatsEventBus } from './nats-event-bus.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Null when NATS with JetStream answers, otherwise why the suite is skipped. */
async function natsUnavailable(): Promise<string | null> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 1500, maxReconnectAttempts: 0 });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
    } finally {
      await nc.close();
    }
    return null;
  } catch (err) {
    return `NATS with JetStream is not reachable at ${NATS_URL} (${(err as Error).message}); set TEST_NATS_URL`;
  }
}

const skip = (await natsUnavailable()) ?? false;
const clock = new ManualClock('2026-03-02T01:00:00Z');

/** Resolves once `check` holds, polling; fails after `ms`. */
async function eventually(check: () => boolean, what: string, ms = patience(30_000)) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lets in-flight messages land before asserting that nothing more arrives. */
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('NATS JetStream event bus (two nodes)', { skip }, () => {
  // A stream of its own so parallel runs on the same server never see each other.
  const suffix = randomBytes(4).toString('hex');
  const streamName = `ONECITY_TEST_${suffix}`;
  const subjectPrefix = `onecity-test.${suffix}`;
  const open = () =>
    createNatsEventBus({
      url: NATS_URL,
      streamName,
      subjectPrefix,
      maxAgeMs: 600_000,
      maxBytes: 16 * 1024 ** 2,
    });
  let nodeA: NatsEventBus;
  let nodeB: NatsEventBus;
  const seenA: PlatformEvent[] = [];
  const seenB: PlatformEvent[] = [];

  before(async () => {
    nodeA = await open();
    nodeB = await open();
    nodeA.subscribe('*', (e) => void seenA.push(e));
    nodeB.subscribe('*', (e) => void seenB.push(e));
  });

  after(async () => {
    await nodeA?.close();
    await nodeB?.close();
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(streamName).catch(() => {});
    await nc.close();
  });

  test('creates the stream with file storage and limits', async () => {
    const nc = await connect({ servers: NATS_URL });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(streamName);
      assert.deepEqual(info.config.subjects, [`${subjectPrefix}.>`]);
      assert.equal(info.config.storage, 'file');
      assert.equal(info.config.max_bytes, 16 * 1024 ** 2);
      assert.ok(info.config.max_age > 0);
      assert.ok(info.config.duplicate_window > 0);
    } finally {
      await nc.close();
    }
    assert.equal(nodeA.kind, 'nats');
  });

  test('an event published on one node is delivered once on each node', async () => {
    const event = createEvent('case.filed', { caseId: 'c-1' }, clock.now(), 'case:c-1');
    await nodeA.publish(event);
    const onA = () => seenA.filter((e) => e.id === event.id);
    const onB = () => seenB.filter((e) => e.id === event.id);
    await eventually(() => onA().length > 0 && onB().length > 0, 'delivery on both nodes');
    await settle();
    assert.equal(onA().length, 1);
    assert.equal(onB().length, 1);
    assert.deepEqual(onB()[0], JSON.parse(JSON.stringify(event)));
  });

  test('subscribers get only the types their pattern matches, in publish order', async () => {
    const cases: string[] = [];
    const exact: string[] = [];
    const offB = nodeB.subscribe('case.*', (e) => void cases.push(e.type));
    const offA = nodeA.subscribe('observation.stored', (e) => void exact.push(e.type));
    try {
      for (const type of ['case.dispatched', 'observation.stored', 'case.closed', 'alert.raised'])
        await nodeB.publish(createEvent(type, {}, clock.now()));
      await eventually(() => cases.length === 2 && exact.length === 1, 'pattern deliveries');
      await settle();
      assert.deepEqual(cases, ['case.dispatched', 'case.closed']);
      assert.deepEqual(exact, ['observation.stored']);
    } finally {
      offA();
      offB();
    }
  });

  test('publishing the same event id twice stores and delivers it once', async () => {
    const stored = async () => {
      const nc = await connect({ servers: NATS_URL });
      try {
        return (await (await jetstreamManager(nc)).streams.info(streamName)).state.messages;
      } finally {
        await nc.close();
      }
    };
    const storedBefore = await stored();
    const event = createEvent('case.filed', { caseId: 'c-dup' }, clock.now());
    await nodeA.publish(event);
    await nodeB.publish(event);
    await nodeA.publish({ ...event });
    const marker = createEvent('test.marker', {}, clock.now());
    await nodeA.publish(marker);
    await eventually(
      () => seenA.some((e) => e.id === marker.id) && seenB.some((e) => e.id === marker.id),
      'the marker after the duplicates',
    );
    assert.equal(seenA.filter((e) => e.id === event.id).length, 1);
    assert.equal(seenB.filter((e) => e.id === event.id).length, 1);
    assert.equal(await stored(), storedBefore + 2, 'the server kept the event once, plus the marker');
  });

  test('a node started later sees only events published after it started', async () => {
    const before = createEvent('case.filed', { n: 'before' }, clock.now());
    await nodeA.publish(before);
    await eventually(() => seenA.some((e) => e.id === before.id), 'the earlier event');
    const late = await open();
    try {
      const seenLate: PlatformEvent[] = [];
      late.subscribe('*', (e) => void seenLate.push(e));
      const afterStart = createEvent('case.filed', { n: 'after' }, clock.now());
      await nodeA.publish(afterStart);
      await eventually(() => seenLate.some((e) => e.id === afterStart.id), 'delivery to the late node');
      await settle();
      assert.deepEqual(
        seenLate.map((e) => e.id),
        [afterStart.id],
      );
    } finally {
      await late.close();
    }
  });

  test('a failing subscriber is reported and does not stop delivery', async () => {
    const errors: string[] = [];
    const node = await createNatsEventBus({
      url: NATS_URL,
      streamName,
      subjectPrefix,
      onError: (err, e) => errors.push(`${e.type}: ${(err as Error).message}`),
    });
    try {
      const got: string[] = [];
      node.subscribe('case.*', () => {
        throw new Error('boom');
      });
      node.subscribe('case.*', (e) => void got.push(e.id));
      const e1 = createEvent('case.filed', {}, clock.now());
      const e2 = createEvent('case.closed', {}, clock.now());
      await nodeA.publish(e1);
      await nodeA.publish(e2);
      await eventually(() => got.length === 2, 'both events despite the failing subscriber');
      assert.deepEqual(got, [e1.id, e2.id]);
      assert.deepEqual(errors, ['case.filed: boom', 'case.closed: boom']);
    } finally {
      await node.close();
    }
  });

  test('a node keeps receiving after its connection drops and comes back', async () => {
    const node = await open();
    try {
      const got: string[] = [];
      node.subscribe('case.*', (e) => void got.push(e.id));
      const first = createEvent('case.filed', {}, clock.now());
      await nodeA.publish(first);
      await eventually(() => got.length === 1, 'delivery before the drop');
      await node.connection.reconnect();
      const during = createEvent('case.updated', {}, clock.now());
      await nodeA.publish(during);
      await eventually(() => got.length === 2, 'delivery after the reconnect', 15_000);
      await node.publish(createEvent('case.closed', {}, clock.now()));
      await eventually(() => got.length === 3, 'its own publish after the reconnect', 15_000);
      await settle();
      assert.equal(new Set(got).size, 3);
      assert.deepEqual(got.slice(0, 2), [first.id, during.id]);
    } finally {
      await node.close();
    }
  });

  test('refuses event types that are not subject tokens', async () => {
    await assert.rejects(nodeA.publish(createEvent('case.*', {}, clock.now())), TypeError);
    await assert.rejects(nodeA.publish(createEvent('has space', {}, clock.now())), TypeError);
  });

  test('close() lets the event being handled finish, then refuses publishes', async () => {
    const node = await open();
    let started = false;
    let finished = false;
    node.subscribe('slow.*', () => {
      started = true;
    });
    node.subscribe('slow.work', async () => {
      await new Promise((r) => setTimeout(r, 200));
      finished = true;
    });
    await nodeA.publish(createEvent('slow.work', {}, clock.now()));
    await eventually(() => started, 'the slow handler to start');
    assert.equal(finished, false);
    await node.close();
    assert.equal(finished, true);
    await assert.rejects(node.publish(createEvent('case.filed', {}, clock.now())), /closed/);
  });
});

describe('kernel with NATS_URL', { skip }, () => {
  let storage: Storage;
  before(async () => {
    storage = await openStorage({ dataDir: null });
  });
  after(() => storage?.close());

  test('createKernel uses the JetStream bus when NATS_URL is set', async () => {
    const suffix = randomBytes(4).toString('hex');
    const streamName = `ONECITY_TEST_${suffix}`;
    const config = loadConfig({ env: { NATS_URL, LOG_LEVEL: 'silent' }, file: null });
    const logger = createLogger({ logLevel: 'silent', logPretty: false });
    const kernel = await createKernel({
      config,
      logger,
      storage,
      // Same implementation as the default, on a stream of its own.
      createNatsBus: (url, log, onError) =>
        createNatsEventBus({
          url,
          logger: log,
          onError,
          streamName,
          subjectPrefix: `onecity-test.${suffix}`,
        }),
    });
    assert.equal(kernel.bus.kind, 'nats');
    const got: string[] = [];
    kernel.bus.subscribe('case.filed', (e) => void got.push(e.id));
    const event = createEvent('case.filed', {}, clock.now());
    await kernel.bus.publish(event);
    await eventually(() => got.length === 1, 'delivery through the kernel bus');
    await kernel.bus.close();
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(streamName).catch(() => {});
    await nc.close();
  });

  test('deployments with their own NATS_STREAM and NATS_SUBJECT_PREFIX never see each other', async () => {
    const suffix = randomBytes(4).toString('hex');
    const logger = createLogger({ logLevel: 'silent', logPretty: false });
    const deployment = (name: string) => ({
      NATS_URL,
      LOG_LEVEL: 'silent',
      NATS_STREAM: `ONECITY_TEST_${name}_${suffix}`,
      NATS_SUBJECT_PREFIX: `onecity-test.${name}-${suffix}.events`,
    });
    // Two nodes of deployment "north" and one of "south", all through the kernel's own bus factory.
    const kernelOf = (env: Record<string, string>) =>
      createKernel({ config: loadConfig({ env, file: null }), logger, storage });
    const north1 = await kernelOf(deployment('north'));
    const north2 = await kernelOf(deployment('north'));
    const south = await kernelOf(deployment('south'));
    try {
      const seen = { north1: [] as string[], north2: [] as string[], south: [] as string[] };
      north1.bus.subscribe('case.*', (e) => void seen.north1.push(e.id));
      north2.bus.subscribe('case.*', (e) => void seen.north2.push(e.id));
      south.bus.subscribe('case.*', (e) => void seen.south.push(e.id));
      const fromNorth = createEvent('case.filed', {}, clock.now());
      const fromSouth = createEvent('case.closed', {}, clock.now());
      await north1.bus.publish(fromNorth);
      await south.bus.publish(fromSouth);
      await eventually(
        () => seen.north1.length === 1 && seen.north2.length === 1 && seen.south.length === 1,
        "each deployment's own events",
      );
      await settle();
      assert.deepEqual(seen, { north1: [fromNorth.id], north2: [fromNorth.id], south: [fromSouth.id] });
      const nc = await connect({ servers: NATS_URL });
      try {
        const jsm = await jetstreamManager(nc);
        const north = await jsm.streams.info(`ONECITY_TEST_north_${suffix}`);
        assert.deepEqual(north.config.subjects, [`onecity-test.north-${suffix}.events.>`]);
        assert.equal(north.state.messages, 1);
      } finally {
        await nc.close();
      }
    } finally {
      await Promise.all([north1.bus.close(), north2.bus.close(), south.bus.close()]);
      const nc = await connect({ servers: NATS_URL });
      const jsm = await jetstreamManager(nc);
      for (const name of ['north', 'south'])
        await jsm.streams.delete(`ONECITY_TEST_${name}_${suffix}`).catch(() => {});
      await nc.close();
    }
  });

  test('createKernel fails with a message naming NATS_URL when NATS does not answer', async () => {
    const config = loadConfig({ env: { NATS_URL: 'nats://127.0.0.1:1', LOG_LEVEL: 'silent' }, file: null });
    const logger = createLogger({ logLevel: 'silent', logPretty: false });
    await assert.rejects(createKernel({ config, logger, storage }), /NATS_URL nats:\/\/127\.0\.0\.1:1/);
  });
});
