/**
 * Client regular expressions (`idPattern`, `q` with `~=`) on both engines: patterns that
 * backtrack catastrophically are refused with BadRequestData, ambiguous ones that are
 * accepted run without holding the server (in the database and in subscription matching),
 * and ordinary patterns keep working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Backend, testBackends } from '../support/storage.ts';
import {
  type NgsiLdTestServer,
  type Receiver,
  startNgsiLdServer,
  startReceiver,
} from './ngsi-ld-fixtures.ts';

const BAD_REQUEST = 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData';
const JSON_H = { 'content-type': 'application/json' };
/** 40 a's then a b: 2^40 backtracking steps for `(a|a)+$` or `(a+)+$` on V8's default engine. */
const LONG_ID = `urn:ngsi-ld:Tag:${'a'.repeat(40)}b`;
const SHORT_ID = 'urn:ngsi-ld:Tag:aaa';

for (const backend of testBackends() as Backend[]) {
  describe(`NGSI-LD client patterns (${backend})`, () => {
    let s: NgsiLdTestServer;
    let rx: Receiver;
    const ids = async (query: string) => {
      const res = await s.call(`/entities?${query}`);
      assert.equal(res.status, 200, query);
      return ((await res.json()) as Array<{ id: string }>).map((e) => e.id);
    };
    const refused = async (path: string, init: RequestInit = {}) => {
      const res = await s.call(path, init);
      assert.equal(res.status, 400, path);
      const body = await res.json();
      assert.equal(body.type, BAD_REQUEST);
      return body.detail as string;
    };

    before(async () => {
      // The receiver listens on loopback, which the broker refuses unless allowed.
      s = await startNgsiLdServer(backend, { allowPrivateEndpoints: true });
      rx = await startReceiver();
    });
    after(async () => {
      await rx?.close();
      await s?.close();
    });

    it('refuses nested quantifiers, backreferences and lookaround wherever a pattern goes', async () => {
      const q = encodeURIComponent;
      assert.match(await refused(`/entities?idPattern=${q('^(a+)+$')}`), /idPattern.*nested quantifiers/);
      assert.match(
        await refused(`/entities?type=Tag&q=${q('name~="^(a+)+$"')}`),
        /~= in q.*nested quantifiers/,
      );
      assert.match(await refused(`/entities?type=Tag&q=${q('name!~="(a)\\\\1"')}`), /backreferences/);
      assert.match(await refused(`/temporal/entities?idPattern=${q('(?=a)a')}`), /lookaround/);
      assert.match(await refused(`/entities?idPattern=${q('a'.repeat(300))}`), /longer than 256/);
      // Linear in V8, but PostgreSQL's automaton grows with the unrolled repetitions.
      const unrolled = await refused(`/entities?idPattern=${q('.{0,100}'.repeat(4))}`);
      assert.match(unrolled, /larger than 100 elements/);
      const many = await refused(`/entities?idPattern=${q('.{0,100}'.repeat(28))}`);
      assert.match(many, /more than 16 quantifiers/);
      const detail = await refused('/subscriptions', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({
          type: 'Subscription',
          entities: [{ type: 'Tag', idPattern: '^urn:ngsi-ld:Tag:(a*)*$' }],
          notification: { endpoint: { uri: rx.url } },
        }),
      });
      assert.match(detail, /entities\[\]\.idPattern.*nested quantifiers/);
    });

    it('matches ambiguous accepted patterns in the database and in subscriptions', {
      timeout: 120_000,
    }, async () => {
      const sub = await s.call('/subscriptions', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({
          type: 'Subscription',
          entities: [{ type: 'Tag', idPattern: '^urn:ngsi-ld:Tag:(a|a)+$' }],
          q: 'name~="^(a|a)+$"',
          notification: { endpoint: { uri: rx.url }, format: 'keyValues' },
        }),
      });
      assert.equal(sub.status, 201);
      for (const [id, name] of [
        [LONG_ID, `${'a'.repeat(40)}b`],
        [SHORT_ID, 'aaa'],
      ]) {
        const res = await s.call('/entities', {
          method: 'POST',
          headers: JSON_H,
          body: JSON.stringify({ id, type: 'Tag', name: { type: 'Property', value: name } }),
        });
        assert.equal(res.status, 201, id);
      }
      await s.waitForNotifications();
      await rx.waitFor(1);
      assert.deepEqual(
        rx.received.flatMap((n) => (n.body.data as Array<{ id: string }>).map((e) => e.id)),
        [SHORT_ID],
      );
      const q = encodeURIComponent;
      assert.deepEqual(await ids(`idPattern=${q('^urn:ngsi-ld:Tag:(a|a)+$')}`), [SHORT_ID]);
      assert.deepEqual(await ids(`type=Tag&q=${q('name~="^(a|a)+$"')}`), [SHORT_ID]);
      assert.deepEqual(await ids(`type=Tag&q=${q('name!~="^(a|a)+$"')}`), [LONG_ID]);
      assert.deepEqual(await ids(`idPattern=${q('^urn:ngsi-ld:Tag:a{3}$')}`), [SHORT_ID]);
      assert.deepEqual(await ids(`idPattern=${q('Tag:(?:a)+b$')}`), [LONG_ID]);
    });
  });
}
