import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import { addUser, bearer, loginAs } from '../../identity/testing.ts';
import {
  InvalidInputError,
  isPrivateAddress,
  postToPublicAddress as postWebhook,
  type ResolveAll,
} from '../../kernel/index.ts';
import { type CaseFixture, caseFixture } from '../testing.ts';
import { assertWebhookTarget } from './webhook-target.ts';

/** DNS answers for names of the test (the edge of the world). */
const dns =
  (answers: Record<string, string[]>): ResolveAll =>
  async (name) => {
    const found = answers[name];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const isPrivateTarget = (e: unknown) => e instanceof InvalidInputError && e.code === 'webhook.private_target';

describe('webhook targets', () => {
  it('tells public addresses from loopback, private, link-local and other non-public ones', () => {
    for (const a of [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.251',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a00:1',
      'not an address',
    ])
      assert.equal(isPrivateAddress(a), true, a);
    for (const a of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '93.184.216.34',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
      assert.equal(isPrivateAddress(a), false, a);
  });

  it('checks literal hosts and every address a name resolves to, unless private targets are allowed', async () => {
    const resolve = dns({
      'hooks.example.org': ['93.184.216.34'],
      'split.example.org': ['93.184.216.34', '10.0.0.5'],
      'inside.example.org': ['fd00::7'],
    });
    const check = (url: string, allow = false) => assertWebhookTarget(new URL(url), allow, resolve);
    await check('https://hooks.example.org/h');
    await check('https://8.8.8.8/h');
    // Not resolvable now: accepted, and checked again at each delivery.
    await check('https://not-yet.example.org/h');
    for (const url of [
      'http://127.0.0.1:8080/h',
      'http://2130706433/h',
      'http://10.0.0.1/h',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/h',
      'http://[::ffff:127.0.0.1]/h',
      'https://split.example.org/h',
      'https://inside.example.org/h',
    ])
      await assert.rejects(check(url), isPrivateTarget, url);
    await check('http://127.0.0.1:8080/h', true);
    await check('https://inside.example.org/h', true);
  });

  it('refuses at connection time a name that now resolves to a private address', async () => {
    await assert.rejects(
      postWebhook({
        url: 'http://moved.example.org/h',
        headers: {},
        body: '{}',
        timeoutMs: 5000,
        allowPrivate: false,
        resolve: dns({ 'moved.example.org': ['127.0.0.1'] }),
      }),
      /refused: moved\.example\.org resolves to the non-public address 127\.0\.0\.1/,
    );
  });
});

for (const backend of testBackends()) {
  describe(`webhook targets through the API (${backend})`, () => {
    let fx: CaseFixture;
    let admin: { authorization: string };
    let receiver: Server;
    let port: number;
    let hits = 0;

    before(async () => {
      receiver = createServer((req, res) => {
        hits++;
        req.resume();
        res.end('ok');
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      port = (receiver.address() as { port: number }).port;
      // WEBHOOK_ALLOW_PRIVATE_TARGETS keeps its default: false.
      fx = await caseFixture(backend);
      await addUser(fx.t, 'w.admin', ['admin']);
      admin = bearer(await loginAs(fx.t, 'w.admin'));
    });
    after(async () => {
      await fx?.dispose();
      await new Promise((r) => receiver.close(r));
    });

    const api = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) =>
      fx.t.app.inject({ method, url, headers: admin, payload: payload as object });

    it('refuses loopback, private and link-local targets at registration and update', async () => {
      for (const url of [
        `http://127.0.0.1:${port}/hook`,
        `http://localhost:${port}/hook`,
        'http://10.0.0.1/hook',
        'http://192.168.1.10/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://0x7f.1/hook',
      ]) {
        const r = await api('POST', '/api/v1/webhooks', { url, events: ['case.*'] });
        assert.equal(r.statusCode, 400, url);
        assert.equal(r.json().code, 'webhook.private_target', url);
      }
      const r = await api('POST', '/api/v1/webhooks', {
        url: 'https://93.184.216.34/hook',
        events: ['case.*'],
      });
      assert.equal(r.statusCode, 201, r.body);
      const hook = r.json();
      const patched = await api('PATCH', `/api/v1/webhooks/${hook.id}`, {
        url: `http://localhost:${port}/x`,
      });
      assert.equal(patched.statusCode, 400);
      assert.equal(patched.json().code, 'webhook.private_target');
      await fx.t.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${hook.id}`, headers: admin });
    });

    it('refuses to deliver to a target that is private at delivery time', async () => {
      // As if registered while allowed, or while the name resolved elsewhere.
      const now = fx.t.clock.now();
      const ids = ['wh-literal', 'wh-name'];
      await fx.t.kernel.db
        .insertInto('case_webhook')
        .values(
          [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`].map((url, i) => ({
            id: ids[i],
            url,
            events: JSON.stringify(['case.*']),
            description: null,
            secret: 'whsec_test',
            active: true,
            created_by: 'test',
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      await fx.report('citizen');
      await fx.t.kernel.scheduler.runDue();
      assert.equal(hits, 0, 'nothing reached the loopback receiver');
      for (const id of ids) {
        const items = (await api('GET', `/api/v1/webhooks/${id}/deliveries`)).json().items;
        assert.equal(items.length, 1, id);
        assert.equal(items[0].status, 'retrying', id);
        assert.match(
          items[0].lastError,
          /refused: (127\.0\.0\.1 is a|localhost resolves to the) non-public address/,
          id,
        );
      }
    });
  });
}
