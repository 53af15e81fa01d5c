/**
 * Notification endpoints may not reach the city's own network: loopback, private and
 * link-local endpoints are refused at creation and update (BadRequestData) and at each
 * notification on the address connected to (recorded as a failed notification), unless
 * NGSI_LD_ALLOW_PRIVATE_ENDPOINTS is set. On every storage backend.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { after, before, describe, it } from 'node:test';
import { ConfigError, type ResolveAll } from '../../src/kernel/index.ts';
import { loadNgsiLdSettings } from '../../src/ngsi-ld/index.ts';
import { testBackends } from '../support/storage.ts';
import {
  type NgsiLdTestServer,
  type Receiver,
  startNgsiLdServer,
  startReceiver,
} from './ngsi-ld-fixtures.ts';

const BAD_REQUEST = 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData';
const JSON_H = { 'content-type': 'application/json' };

/**
 * DNS (the edge of the world): the test's names answer from `answers`, which a test may
 * change between creation and delivery; other names (localhost) go to the system resolver.
 */
function testDns(answers: Record<string, string[]>): ResolveAll {
  return async (name) => {
    const found = answers[name];
    if (!found) return lookup(name, { all: true });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const subscription = (uri: string, type = 'Lamp') => ({
  type: 'Subscription',
  entities: [{ type }],
  notification: { endpoint: { uri } },
});

describe('NGSI_LD_ALLOW_PRIVATE_ENDPOINTS', () => {
  it('is false unless set, and must be a boolean', () => {
    assert.equal(loadNgsiLdSettings({}).allowPrivateEndpoints, false);
    assert.equal(loadNgsiLdSettings({ NGSI_LD_ALLOW_PRIVATE_ENDPOINTS: 'true' }).allowPrivateEndpoints, true);
    assert.throws(
      () => loadNgsiLdSettings({ NGSI_LD_ALLOW_PRIVATE_ENDPOINTS: 'sometimes' }),
      (e) => e instanceof ConfigError && /NGSI_LD_ALLOW_PRIVATE_ENDPOINTS/.test(e.message),
    );
  });
});

for (const backend of testBackends()) {
  describe(`NGSI-LD notification endpoints, private ones refused (${backend})`, () => {
    let s: NgsiLdTestServer;
    let rx: Receiver;
    let port: string;
    const answers: Record<string, string[]> = {
      'hooks.example.org': ['93.184.216.34'],
      'inside.example.org': ['93.184.216.34', '192.168.1.20'],
    };

    before(async () => {
      // NGSI_LD_ALLOW_PRIVATE_ENDPOINTS keeps its default: false.
      s = await startNgsiLdServer(backend, {}, undefined, testDns(answers));
      rx = await startReceiver();
      port = new URL(rx.url).port;
    });
    after(async () => {
      await rx?.close();
      await s?.close();
    });

    const post = (body: object) =>
      s.call('/subscriptions', { method: 'POST', headers: JSON_H, body: JSON.stringify(body) });
    const retrieve = async (id: string) => {
      const res = await s.call(`/subscriptions/${encodeURIComponent(id)}`);
      assert.equal(res.status, 200);
      return (await res.json()) as { notification: Record<string, unknown> };
    };

    it('refuses loopback, private and link-local endpoints at creation', async () => {
      for (const [uri, address] of [
        [rx.url, '127.0.0.1'],
        [`http://localhost:${port}/notify`, /^(127\.0\.0\.1|::1)$/],
        ['http://10.0.0.1/notify', '10.0.0.1'],
        ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
        [`http://[::1]:${port}/notify`, '::1'],
        ['http://[::ffff:127.0.0.1]/notify', '::ffff:7f00:1'],
        ['https://inside.example.org/notify', '192.168.1.20'],
      ] as const) {
        const res = await post(subscription(uri));
        assert.equal(res.status, 400, uri);
        const problem = await res.json();
        assert.equal(problem.type, BAD_REQUEST, uri);
        assert.match(problem.detail, /^notification\.endpoint\.uri may not target .*non-public address/, uri);
        assert.match(problem.detail, /NGSI_LD_ALLOW_PRIVATE_ENDPOINTS/, uri);
        const named = /target (?:\S+ \()?([^ )]+)\)?:/.exec(problem.detail)?.[1];
        if (typeof address === 'string') assert.equal(named, address, uri);
        else assert.match(String(named), address, uri);
      }
      assert.deepEqual(await (await s.call('/subscriptions')).json(), [], 'nothing was stored');

      const res = await post(subscription('https://hooks.example.org/notify', 'NeverWritten'));
      assert.equal(res.status, 201);
      const location = res.headers.get('location')!;
      assert.equal((await s.call(location.replace('/ngsi-ld/v1', ''), { method: 'DELETE' })).status, 204);
    });

    it('refuses them when an update changes the endpoint, keeping the stored one', async () => {
      const res = await post(subscription('https://hooks.example.org/notify', 'NeverWritten'));
      assert.equal(res.status, 201);
      const path = res.headers.get('location')!.replace('/ngsi-ld/v1', '');
      for (const uri of [rx.url, 'https://inside.example.org/notify']) {
        const patched = await s.call(path, {
          method: 'PATCH',
          headers: JSON_H,
          body: JSON.stringify({ notification: { endpoint: { uri } } }),
        });
        assert.equal(patched.status, 400, uri);
        const problem = await patched.json();
        assert.equal(problem.type, BAD_REQUEST);
        assert.match(problem.detail, /non-public address.*NGSI_LD_ALLOW_PRIVATE_ENDPOINTS/);
      }
      const id = decodeURIComponent(path.split('/').pop()!);
      assert.deepEqual((await retrieve(id)).notification.endpoint, {
        uri: 'https://hooks.example.org/notify',
        accept: 'application/json',
      });
      // Other members still change.
      const paused = await s.call(path, {
        method: 'PATCH',
        headers: JSON_H,
        body: JSON.stringify({ isActive: false }),
      });
      assert.equal(paused.status, 204);
      assert.equal((await s.call(path, { method: 'DELETE' })).status, 204);
    });

    it('refuses to notify a name that resolves to loopback at connection time', async () => {
      // Public when the subscription is created; the loopback receiver by the time it notifies.
      answers['rebind.example.org'] = ['93.184.216.34'];
      const res = await post(subscription(`http://rebind.example.org:${port}/notify`));
      assert.equal(res.status, 201, await res.clone().text());
      const id = decodeURIComponent(res.headers.get('location')!.split('/').pop()!);
      answers['rebind.example.org'] = ['127.0.0.1'];
      const created = await s.call('/entities', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({
          id: 'urn:ngsi-ld:Lamp:1',
          type: 'Lamp',
          level: { type: 'Property', value: 3 },
        }),
      });
      assert.equal(created.status, 201);
      await s.waitForNotifications();
      assert.equal(rx.received.length, 0, 'nothing reached the loopback receiver');
      const { notification } = await retrieve(id);
      assert.equal(notification.status, 'failed');
      assert.equal(notification.timesFailed, 1);
      assert.ok(notification.lastFailure);
      assert.ok(notification.lastNotification);
      assert.equal(notification.lastSuccess, undefined);
      assert.equal(
        (await s.call(`/subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE' })).status,
        204,
      );
    });
  });

  describe(`NGSI-LD notification endpoints, private ones allowed (${backend})`, () => {
    let s: NgsiLdTestServer;
    let rx: Receiver;

    before(async () => {
      s = await startNgsiLdServer(
        backend,
        { allowPrivateEndpoints: true },
        undefined,
        testDns({ 'inside.example.org': ['127.0.0.1'] }),
      );
      rx = await startReceiver();
    });
    after(async () => {
      await rx?.close();
      await s?.close();
    });

    it('accepts and notifies loopback endpoints with NGSI_LD_ALLOW_PRIVATE_ENDPOINTS', async () => {
      const port = new URL(rx.url).port;
      const ids: string[] = [];
      for (const uri of [rx.url, `http://inside.example.org:${port}/notify`]) {
        const res = await s.call('/subscriptions', {
          method: 'POST',
          headers: JSON_H,
          body: JSON.stringify(subscription(uri)),
        });
        assert.equal(res.status, 201, uri);
        ids.push(decodeURIComponent(res.headers.get('location')!.split('/').pop()!));
      }
      const created = await s.call('/entities', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({
          id: 'urn:ngsi-ld:Lamp:2',
          type: 'Lamp',
          level: { type: 'Property', value: 1 },
        }),
      });
      assert.equal(created.status, 201);
      await rx.waitFor(2);
      await s.waitForNotifications();
      assert.deepEqual(new Set(rx.received.map((n) => n.body.subscriptionId)), new Set(ids));
      for (const id of ids) {
        const got = await (await s.call(`/subscriptions/${encodeURIComponent(id)}`)).json();
        assert.equal(got.notification.status, 'ok', id);
      }
    });
  });
}
