/**
 * Subscriptions over a real socket with ngsijs, notified to a real HTTP receiver on
 * loopback: entity selectors, watchedAttributes, q, notification.attributes and format,
 * throttling, periodic timeInterval (kernel scheduler), status kept on the subscription.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  LINK_REL,
  type NgsiConnection,
  type NgsiLdTestServer,
  NGSI,
  type Receiver,
  startNgsiLdServer,
  startReceiver,
} from './ngsi-ld-fixtures.ts';

describe('NGSI-LD subscriptions and notifications', () => {
  let s: NgsiLdTestServer;
  let rx: Receiver;
  let c: NgsiConnection;
  let n = 0;
  const sensor = (temperature: number) => ({
    id: `urn:ngsi-ld:TemperatureSensor:${++n}`,
    type: 'TemperatureSensor',
    temperature: { type: 'Property', value: temperature },
    battery: { type: 'Property', value: 90 },
  });

  before(async () => {
    // The receiver listens on loopback, which the broker refuses unless allowed.
    s = await startNgsiLdServer('pglite', { allowPrivateEndpoints: true });
    c = s.connection();
  });
  after(() => s.close());
  beforeEach(async () => {
    rx = await startReceiver();
  });
  afterEach(async () => {
    const list = await c.ld.listSubscriptions({ limit: 100 });
    for (const sub of list.results) await c.ld.deleteSubscription(sub.id);
    await rx.close();
  });

  it('notifies creation and watched updates matching q, with the selected attributes', async () => {
    const created = await c.ld.createSubscription({
      type: 'Subscription',
      entities: [{ type: 'TemperatureSensor' }],
      watchedAttributes: ['temperature'],
      q: 'temperature>30',
      notification: {
        attributes: ['temperature'],
        format: 'normalized',
        endpoint: { uri: rx.url, accept: 'application/json' },
      },
    });
    assert.match(created.subscription.id, /^urn:ngsi-ld:Subscription:/);
    const hot = sensor(35);
    await c.ld.createEntity(sensor(20)); // does not match q
    await c.ld.createEntity(hot);
    await rx.waitFor(1);
    const note = rx.received[0];
    assert.equal(note.headers['content-type'], 'application/json');
    assert.match(String(note.headers.link), new RegExp(`rel="${LINK_REL.replace(/[.#/]/g, '\\$&')}"`));
    assert.equal(note.body.type, 'Notification');
    assert.equal(note.body.subscriptionId, created.subscription.id);
    assert.match(String(note.body.id), /^urn:ngsi-ld:Notification:/);
    assert.deepEqual(note.body.data, [
      { id: hot.id, type: 'TemperatureSensor', temperature: { type: 'Property', value: 35 } },
    ]);

    // An update of an unwatched attribute does not notify; a watched one does.
    await c.ld.updateEntityAttributes({ battery: { type: 'Property', value: 80 } }, { id: hot.id });
    await c.ld.updateEntityAttributes({ temperature: { type: 'Property', value: 36 } }, { id: hot.id });
    await rx.waitFor(2);
    await s.waitForNotifications();
    assert.equal(rx.received.length, 2);
    assert.equal(
      (rx.received[1].body.data as Array<{ temperature: { value: number } }>)[0].temperature.value,
      36,
    );

    const { subscription } = await c.ld.getSubscription(created.subscription.id);
    assert.equal(subscription.notification.timesSent, 2);
    assert.equal(subscription.notification.status, 'ok');
    assert.ok(subscription.notification.lastSuccess);
    assert.ok(subscription.notification.lastNotification);
    assert.equal(subscription.status, 'active');
  });

  it('sends keyValues as application/ld+json when the endpoint accepts it', async () => {
    await c.ld.createSubscription({
      type: 'Subscription',
      entities: [{ type: 'TemperatureSensor', idPattern: '.*' }],
      notification: { format: 'keyValues', endpoint: { uri: rx.url, accept: 'application/ld+json' } },
    });
    const e = sensor(12);
    await c.ld.createEntity(e);
    await rx.waitFor(1);
    assert.equal(rx.received[0].headers['content-type'], 'application/ld+json');
    assert.ok(rx.received[0].body['@context']);
    // Each entity of an ld+json notification is a JSON-LD document with its @context (§6.3.5).
    assert.deepEqual(rx.received[0].body.data, [
      {
        id: e.id,
        type: 'TemperatureSensor',
        temperature: 12,
        battery: 90,
        '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
      },
    ]);
  });

  it('records failures on the subscription', async () => {
    rx.status = 500;
    const { subscription } = await c.ld.createSubscription({
      type: 'Subscription',
      entities: [{ type: 'TemperatureSensor' }],
      notification: { endpoint: { uri: rx.url } },
    });
    await c.ld.createEntity(sensor(1));
    await rx.waitFor(1);
    await s.waitForNotifications();
    const got = (await c.ld.getSubscription(subscription.id)).subscription;
    assert.equal(got.notification.status, 'failed');
    assert.ok(got.notification.lastFailure);
    assert.equal(got.notification.lastSuccess, undefined);
  });

  it('throttles: a second change within the throttling period is not notified', async () => {
    await c.ld.createSubscription({
      type: 'Subscription',
      entities: [{ type: 'TemperatureSensor' }],
      throttling: 60,
      notification: { endpoint: { uri: rx.url } },
    });
    await c.ld.createEntity(sensor(1));
    await rx.waitFor(1);
    await c.ld.createEntity(sensor(2));
    await s.waitForNotifications();
    assert.equal(rx.received.length, 1);
    s.app.clock.advance(61_000);
    await c.ld.createEntity(sensor(3));
    await rx.waitFor(2);
  });

  it('notifies periodically with timeInterval through the scheduler', async () => {
    const e = sensor(5);
    await c.ld.createEntity(e);
    await c.ld.createSubscription({
      type: 'Subscription',
      entities: [{ type: 'TemperatureSensor', id: e.id }],
      timeInterval: 30,
      notification: { endpoint: { uri: rx.url } },
    });
    assert.equal(await s.app.kernel.scheduler.runDue(), 0, 'not due yet');
    s.app.clock.advance(31_000);
    assert.equal(await s.app.kernel.scheduler.runDue(), 1);
    await rx.waitFor(1);
    assert.deepEqual(
      (rx.received[0].body.data as Array<{ id: string }>).map((d) => d.id),
      [e.id],
    );
    s.app.clock.advance(31_000);
    assert.equal(await s.app.kernel.scheduler.runDue(), 1);
    await rx.waitFor(2);
  });

  it('updates (pause) and deletes subscriptions; validates input', async () => {
    const { subscription } = await c.ld.createSubscription({
      type: 'Subscription',
      entities: [{ type: 'TemperatureSensor' }],
      notification: { endpoint: { uri: rx.url } },
    });
    await c.ld.updateSubscription({ id: subscription.id, isActive: false });
    const paused = (await c.ld.getSubscription(subscription.id)).subscription;
    assert.equal(paused.status, 'paused');
    await c.ld.createEntity(sensor(3));
    await s.waitForNotifications();
    assert.equal(rx.received.length, 0);
    await c.ld.deleteSubscription(subscription.id);
    await assert.rejects(
      c.ld.getSubscription(subscription.id),
      (e: Error) => e instanceof NGSI.NotFoundError,
    );

    const ftp = await s.call('/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'Subscription',
        entities: [{ type: 'T' }],
        notification: { endpoint: { uri: 'ftp://x/y' } },
      }),
    });
    assert.equal(ftp.status, 422);
    assert.equal((await ftp.json()).type, 'https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported');
    const both = await s.call('/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'Subscription',
        entities: [{ type: 'T' }],
        watchedAttributes: ['a'],
        timeInterval: 5,
        notification: { endpoint: { uri: rx.url } },
      }),
    });
    assert.equal(both.status, 400);
    assert.equal((await both.json()).type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
  });
});
