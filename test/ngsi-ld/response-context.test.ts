/**
 * The `@context` of responses (ETSI GS CIM 009 v1.8.1 §6.3.5, content negotiation §6.3.6):
 * with `Accept: application/ld+json` the body carries exactly the context the request used
 * (its Link header's URL, or the core context without one) — not followed by the core
 * context; with `application/json` the body has no `@context` and the Link header carries
 * it. Notifications sent as `application/ld+json` carry `@context` in each entity. Over a
 * real socket (ngsijs and raw fetch), on every backend of the run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/storage.ts';
import {
  LINK_REL,
  type NgsiLdTestServer,
  type Receiver,
  startNgsiLdServer,
  startReceiver,
} from './ngsi-ld-fixtures.ts';

/** A user context in the broker's offline store. */
const ENV = 'https://smart-data-models.github.io/dataModel.Environment/context.jsonld';
/** The core context the broker names when a request gives none. */
const CORE_V18 = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
const link = (url: string) => `<${url}>; rel="${LINK_REL}"; type="application/ld+json"`;
const ID = 'urn:ngsi-ld:AirQualityObserved:ctx-1';
const TYPE_IRI = encodeURIComponent('https://smartdatamodels.org/dataModel.Environment/AirQualityObserved');
const TEMPERATURE_IRI = encodeURIComponent('https://smartdatamodels.org/dataModel.Environment/temperature');

for (const backend of testBackends()) {
  describe(`NGSI-LD response @context (${backend})`, () => {
    let s: NgsiLdTestServer;
    let rx: Receiver;
    let subscriptionId = '';
    before(async () => {
      s = await startNgsiLdServer(backend, { allowPrivateEndpoints: true });
      rx = await startReceiver();
      const created = await s.call('/entities', {
        method: 'POST',
        headers: { 'content-type': 'application/json', link: link(ENV) },
        body: JSON.stringify({
          id: ID,
          type: 'AirQualityObserved',
          temperature: { type: 'Property', value: 21, observedAt: '2026-03-01T10:00:00Z' },
        }),
      });
      assert.equal(created.status, 201);
      const sub = await s.call('/subscriptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', link: link(ENV) },
        body: JSON.stringify({
          type: 'Subscription',
          entities: [{ type: 'AirQualityObserved' }],
          watchedAttributes: ['temperature'],
          notification: { endpoint: { uri: rx.url, accept: 'application/ld+json' } },
        }),
      });
      assert.equal(sub.status, 201);
      subscriptionId = decodeURIComponent(sub.headers.get('location')!.split('/').pop()!);
    });
    after(async () => {
      await s.close();
      await rx.close();
    });

    /**
     * Every readable resource touched by the context rules, with the shape of its body; names
     * as terms of ENV, or (`iris`) expanded, for requests without ENV.
     */
    const resources = (iris = false) => {
      const T = iris ? TYPE_IRI : 'AirQualityObserved';
      const A = iris ? TEMPERATURE_IRI : 'temperature';
      return [
        { clause: '§6.5.3.1 entity retrieve', path: `/entities/${ID}`, array: false },
        { clause: '§6.4.3.2 entity query', path: `/entities?type=${T}`, array: true },
        { clause: '§6.19.3.1 temporal retrieve', path: `/temporal/entities/${ID}`, array: false },
        { clause: '§6.18.3.2 temporal query', path: `/temporal/entities?type=${T}`, array: true },
        { clause: '§6.25.3.1 type list', path: '/types', array: false },
        { clause: '§6.25.3.1 type details', path: '/types?details=true', array: true },
        { clause: '§6.26.3.1 type info', path: `/types/${T}`, array: false },
        { clause: '§6.27.3.1 attribute list', path: '/attributes', array: false },
        { clause: '§6.28.3.1 attribute info', path: `/attributes/${A}`, array: false },
        { clause: '§6.11.3.1 subscription retrieve', path: `/subscriptions/${subscriptionId}`, array: false },
        { clause: '§6.10.3.2 subscription list', path: '/subscriptions', array: true },
      ];
    };

    const contextsOf = (body: unknown, array: boolean): unknown[] => {
      if (!array) return [(body as Record<string, unknown>)['@context']];
      assert.ok(Array.isArray(body) && body.length > 0, 'a non-empty array');
      return (body as Array<Record<string, unknown>>).map((x) => x['@context']);
    };

    it('§6.3.5: application/ld+json echoes exactly the Link context, without the core context after it', async () => {
      for (const r of resources()) {
        const res = await s.call(r.path, { headers: { accept: 'application/ld+json', link: link(ENV) } });
        assert.equal(res.status, 200, r.clause);
        assert.equal(res.headers.get('content-type'), 'application/ld+json', r.clause);
        assert.equal(res.headers.get('link'), null, r.clause);
        for (const c of contextsOf(await res.json(), r.array)) assert.equal(c, ENV, r.clause);
      }
    });

    it('§6.3.5: application/ld+json without a Link header carries the core context', async () => {
      for (const r of resources(true)) {
        const res = await s.call(r.path, { headers: { accept: 'application/ld+json' } });
        assert.equal(res.status, 200, r.clause);
        for (const c of contextsOf(await res.json(), r.array)) assert.equal(c, CORE_V18, r.clause);
      }
    });

    it('§6.3.5: a core context URL given in the Link header comes back as given', async () => {
      const core = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld';
      const ld = await s.call(`/entities/${ID}`, {
        headers: { accept: 'application/ld+json', link: link(core) },
      });
      assert.equal((await ld.json())['@context'], core);
      const json = await s.call(`/entities/${ID}`, {
        headers: { accept: 'application/json', link: link(core) },
      });
      assert.equal(json.headers.get('link'), link(core));
    });

    it('§6.3.6: application/json has no @context in the body and the context in the Link header', async () => {
      for (const r of resources()) {
        const res = await s.call(r.path, { headers: { accept: 'application/json', link: link(ENV) } });
        assert.equal(res.status, 200, r.clause);
        assert.equal(res.headers.get('content-type'), 'application/json', r.clause);
        assert.equal(res.headers.get('link'), link(ENV), r.clause);
        for (const c of contextsOf(await res.json(), r.array)) assert.equal(c, undefined, r.clause);
      }
      for (const r of resources(true)) {
        const bare = await s.call(r.path, { headers: { accept: 'application/json' } });
        assert.equal(bare.status, 200, r.clause);
        assert.equal(bare.headers.get('link'), link(CORE_V18), r.clause);
      }
    });

    it('§6.3.5 with ngsijs: retrieved and queried entities carry the context they were asked with', async () => {
      const c = s.connection();
      const one = await c.ld.getEntity({ id: ID, '@context': ENV });
      assert.equal(one.entity['@context'], ENV);
      assert.equal(one.entity.temperature.value, 21);
      const many = await c.ld.queryEntities({ type: 'AirQualityObserved', '@context': ENV });
      assert.deepEqual(
        many.results.map((e: Record<string, unknown>) => e['@context']),
        [ENV],
      );
      const sub = await c.ld.getSubscription({ id: subscriptionId, '@context': ENV });
      assert.equal(sub.subscription['@context'], ENV);
      assert.deepEqual(sub.subscription.watchedAttributes, ['temperature']);
    });

    it('§6.3.5, §5.3.1: an application/ld+json notification carries @context in each entity', async () => {
      const before = rx.received.length;
      const res = await s.call(`/entities/${ID}/attrs`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', link: link(ENV) },
        body: JSON.stringify({ temperature: { type: 'Property', value: 22 } }),
      });
      assert.equal(res.status, 204);
      await rx.waitFor(before + 1);
      const n = rx.received[before];
      assert.equal(n.headers['content-type'], 'application/ld+json');
      assert.equal(n.headers.link, undefined);
      const data = n.body.data as Array<Record<string, unknown>>;
      assert.equal(data.length, 1);
      assert.equal(data[0]['@context'], ENV);
      assert.equal(data[0].type, 'AirQualityObserved');
      assert.deepEqual(data[0].temperature, { type: 'Property', value: 22 });
      assert.equal(n.body['@context'], ENV);
    });
  });
}
