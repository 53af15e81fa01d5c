/**
 * Raw HTTP conformance: ProblemDetails types and statuses, content negotiation (Link header
 * vs @context), user contexts (Link, inline, offline store, remote allow-list), the q
 * grammar's edges, geo-queries, batch operations with 207, discovery, and access control.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CORE, LINK_REL, type NgsiLdTestServer, startNgsiLdServer } from './ngsi-ld-fixtures.ts';

const ERR = 'https://uri.etsi.org/ngsi-ld/errors/';
const JSON_H = { 'content-type': 'application/json' };
const link = (url: string) => `<${url}>; rel="${LINK_REL}"; type="application/ld+json"`;

async function problem(res: Response, status: number, type: string) {
  assert.equal(res.status, status, `status of ${type}`);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const body = await res.json();
  assert.equal(body.type, ERR + type);
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  return body;
}

describe('NGSI-LD conformance over raw HTTP', () => {
  let s: NgsiLdTestServer;
  let ctxServer: http.Server;
  let ctxUrl: string;
  let slowUrl: string;

  before(async () => {
    // A loopback host serving a user context, allowed for remote contexts.
    ctxServer = http.createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2000);
      res.setHeader('content-type', 'application/ld+json');
      res.end(
        JSON.stringify({
          '@context': {
            temp: 'https://example.org/vocab/temperature',
            Sensor: 'https://example.org/vocab/Sensor',
          },
        }),
      );
    });
    await new Promise<void>((r) => ctxServer.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(ctxServer.address() as AddressInfo).port}`;
    ctxUrl = `http://${host}/context.jsonld`;
    slowUrl = `http://${host}/slow`;
    s = await startNgsiLdServer('pglite', { remoteContextHosts: [host], remoteContextTimeoutMs: 300 });
    const entities = [
      [
        'urn:ngsi-ld:Shop:1',
        5,
        'bakery',
        ['bread', 'cake'],
        [120.1, 30.2],
        { street: "Yan'an Road", no: 12 },
      ],
      ['urn:ngsi-ld:Shop:2', 3, 'butcher', ['meat'], [120.2, 30.3], { street: 'Hubin Road', no: 1 }],
      ['urn:ngsi-ld:Shop:3', 8, 'bakery; cafe', ['coffee'], [121, 31], { street: 'Nanshan Road', no: 7 }],
    ] as const;
    const res = await s.call('/entityOperations/create', {
      method: 'POST',
      headers: JSON_H,
      body: JSON.stringify(
        entities.map(([id, rating, kind, goods, coords, address]) => ({
          id,
          type: 'Shop',
          rating: { type: 'Property', value: rating, openedAt: { type: 'Property', value: 2000 + rating } },
          kind: { type: 'Property', value: kind },
          goods: { type: 'Property', value: goods },
          address: { type: 'Property', value: address },
          inspectedAt: {
            type: 'Property',
            value: { '@type': 'DateTime', '@value': `2026-0${rating > 4 ? 2 : 1}-01T00:00:00Z` },
          },
          owner: { type: 'Relationship', object: `urn:ngsi-ld:Person:${rating}` },
          location: { type: 'GeoProperty', value: { type: 'Point', coordinates: coords } },
        })),
      ),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(
      await res.json(),
      entities.map((e) => e[0]),
    );
  });
  after(async () => {
    await s.close();
    await new Promise<void>((r) => ctxServer.close(() => r()));
  });

  const ids = async (query: string) => {
    const res = await s.call(`/entities?${query}`);
    assert.equal(res.status, 200, `${query}: ${res.status}`);
    return ((await res.json()) as Array<{ id: string }>).map((e) => e.id.replace('urn:ngsi-ld:Shop:', ''));
  };

  describe('ProblemDetails', () => {
    it('BadRequestData, InvalidRequest, ResourceNotFound, AlreadyExists', async () => {
      await problem(
        await s.call('/entities', {
          method: 'POST',
          headers: JSON_H,
          body: JSON.stringify({ id: 'not a uri', type: 'X' }),
        }),
        400,
        'BadRequestData',
      );
      await problem(
        await s.call('/entities', { method: 'POST', headers: JSON_H, body: '{"id": ' }),
        400,
        'InvalidRequest',
      );
      await problem(await s.call('/entities/urn:ngsi-ld:Shop:404'), 404, 'ResourceNotFound');
      await problem(await s.call('/no/such/route'), 404, 'ResourceNotFound');
      await problem(
        await s.call('/entities', {
          method: 'POST',
          headers: JSON_H,
          body: JSON.stringify({ id: 'urn:ngsi-ld:Shop:1', type: 'Shop' }),
        }),
        409,
        'AlreadyExists',
      );
    });
    it('TooManyResults above the maximum limit; a query without any filter is BadRequestData', async () => {
      await problem(await s.call('/entities?type=Shop&limit=1001'), 403, 'TooManyResults');
      await problem(await s.call('/entities'), 400, 'BadRequestData');
      await problem(await s.call('/entities?type=Shop&limit=-1'), 400, 'BadRequestData');
    });
    it('NoMultiTenantSupport, unsupported media types (415) and unacceptable Accept (406)', async () => {
      await problem(
        await s.call('/entities?type=Shop', { headers: { 'NGSILD-Tenant': 'other' } }),
        501,
        'NoMultiTenantSupport',
      );
      await problem(
        await s.call('/entities', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
        415,
        'UnsupportedMediaType',
      );
      await problem(
        await s.call('/entities?type=Shop', { headers: { accept: 'application/xml' } }),
        406,
        'NotAcceptable',
      );
    });
    it('LdContextNotAvailable for contexts outside the store and the allow-list, or too slow', async () => {
      await problem(
        await s.call('/entities?type=Shop', { headers: { link: link('https://evil.example/ctx.jsonld') } }),
        503,
        'LdContextNotAvailable',
      );
      await problem(
        await s.call('/entities?type=Shop', { headers: { link: link('http://169.254.169.254/latest') } }),
        503,
        'LdContextNotAvailable',
      );
      await problem(
        await s.call('/entities?type=Shop', { headers: { link: link(slowUrl) } }),
        503,
        'LdContextNotAvailable',
      );
    });
  });

  describe('content negotiation and contexts', () => {
    it('answers application/json with a Link header, application/ld+json with @context', async () => {
      const json = await s.call('/entities/urn:ngsi-ld:Shop:1', { headers: { accept: 'application/json' } });
      assert.equal(json.headers.get('content-type'), 'application/json');
      assert.match(
        String(json.headers.get('link')),
        /ngsi-ld-core-context-v1\.8\.jsonld>; rel="http:\/\/www\.w3\.org\/ns\/json-ld#context"/,
      );
      assert.equal((await json.json())['@context'], undefined);
      const ld = await s.call('/entities/urn:ngsi-ld:Shop:1', { headers: { accept: 'application/ld+json' } });
      assert.equal(ld.headers.get('content-type'), 'application/ld+json');
      assert.equal(ld.headers.get('link'), null);
      assert.equal(
        (await ld.json())['@context'],
        'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
      );
      const prefersJson = await s.call('/entities/urn:ngsi-ld:Shop:1', {
        headers: { accept: 'application/ld+json;q=0.5, application/json' },
      });
      assert.equal(prefersJson.headers.get('content-type'), 'application/json');
    });
    it('resolves every published core context URL offline', async () => {
      for (const v of ['', '-v1.3', '-v1.4', '-v1.5', '-v1.6', '-v1.7', '-v1.8']) {
        const url = `https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context${v}.jsonld`;
        const res = await s.call('/entities?type=Shop&limit=1', { headers: { link: link(url) } });
        assert.equal(res.status, 200, url);
      }
    });
    it('expands with a Link context, stores IRIs, and compacts with the reader context', async () => {
      const create = await s.call('/entities', {
        method: 'POST',
        headers: { ...JSON_H, link: link(ctxUrl) },
        body: JSON.stringify({
          id: 'urn:ngsi-ld:Sensor:1',
          type: 'Sensor',
          temp: { type: 'Property', value: 21 },
        }),
      });
      assert.equal(create.status, 201);
      const plain = await (await s.call('/entities/urn:ngsi-ld:Sensor:1')).json();
      assert.equal(plain.type, 'https://example.org/vocab/Sensor');
      assert.equal(plain['https://example.org/vocab/temperature'].value, 21);
      const withCtx = await s.call('/entities?type=Sensor&q=temp==21', { headers: { link: link(ctxUrl) } });
      assert.equal(withCtx.headers.get('link'), link(ctxUrl));
      assert.deepEqual(await withCtx.json(), [
        { id: 'urn:ngsi-ld:Sensor:1', type: 'Sensor', temp: { type: 'Property', value: 21 } },
      ]);
      // The same entity through an inline @context (application/ld+json).
      const inline = await s.call('/entities/urn:ngsi-ld:Sensor:1/attrs', {
        method: 'POST',
        headers: { 'content-type': 'application/ld+json' },
        body: JSON.stringify({
          hum: { type: 'Property', value: 50 },
          '@context': [{ hum: 'https://example.org/vocab/humidity' }, CORE],
        }),
      });
      assert.equal(inline.status, 204);
      const attrs = await (await s.call('/attributes')).json();
      assert.ok(attrs.attributeList.includes('https://example.org/vocab/humidity'));
    });
    it('rejects @context in application/json and ld+json without @context or with a Link header', async () => {
      const body = JSON.stringify({ id: 'urn:ngsi-ld:X:1', type: 'X', '@context': CORE });
      await problem(
        await s.call('/entities', { method: 'POST', headers: JSON_H, body }),
        400,
        'BadRequestData',
      );
      await problem(
        await s.call('/entities', {
          method: 'POST',
          headers: { 'content-type': 'application/ld+json' },
          body: JSON.stringify({ id: 'urn:ngsi-ld:X:1', type: 'X' }),
        }),
        400,
        'BadRequestData',
      );
      await problem(
        await s.call('/entities', {
          method: 'POST',
          headers: { 'content-type': 'application/ld+json', link: link(CORE) },
          body,
        }),
        400,
        'BadRequestData',
      );
    });
    it('serves Smart Data Models contexts from the offline store', async () => {
      const env =
        'https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld';
      const res = await s.call('/entities', {
        method: 'POST',
        headers: { ...JSON_H, link: link(env) },
        body: JSON.stringify({
          id: 'urn:ngsi-ld:AirQualityObserved:x',
          type: 'AirQualityObserved',
          no2: { type: 'Property', value: 40 },
        }),
      });
      assert.equal(res.status, 201);
      const plain = await (await s.call('/entities/urn:ngsi-ld:AirQualityObserved:x')).json();
      assert.equal(plain.type, 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved');
      assert.ok(plain['https://smartdatamodels.org/dataModel.Environment/no2']);
    });
  });

  describe('the q language', () => {
    it('compares numbers, strings, booleans-free ranges and lists', async () => {
      assert.deepEqual(await ids('type=Shop&q=rating>=5'), ['1', '3']);
      assert.deepEqual(await ids('type=Shop&q=rating!=5'), ['2', '3']);
      assert.deepEqual(await ids('type=Shop&q=rating==3..5'), ['1', '2']);
      assert.deepEqual(await ids('type=Shop&q=rating==3,8'), ['2', '3']);
      assert.deepEqual(await ids('type=Shop&q=kind=="bakery","butcher"'), ['1', '2']);
      assert.deepEqual(await ids(`type=Shop&q=${encodeURIComponent('kind=="bakery; cafe"')}`), ['3']);
      assert.deepEqual(await ids(`type=Shop&q=${encodeURIComponent('kind>"bakery;"')}`), ['2', '3']);
    });
    it('matches an element of an array value, regexes, existence and negated existence', async () => {
      assert.deepEqual(await ids('type=Shop&q=goods=="cake"'), ['1']);
      assert.deepEqual(await ids(`type=Shop&q=${encodeURIComponent('kind~="^b.*r$"')}`), ['2']);
      assert.deepEqual(await ids('type=Shop&q=rating'), ['1', '2', '3']);
      assert.deepEqual(await ids('type=Shop&q=!closed'), ['1', '2', '3']);
      assert.deepEqual(await ids('type=Shop&q=closed'), []);
    });
    it('follows sub-attributes, compound values, relationships and date-times', async () => {
      assert.deepEqual(await ids('type=Shop&q=rating.openedAt>2004'), ['1', '3']);
      assert.deepEqual(await ids(`type=Shop&q=${encodeURIComponent('address[street]=="Hubin Road"')}`), [
        '2',
      ]);
      assert.deepEqual(await ids('type=Shop&q=address[no]<10'), ['2', '3']);
      assert.deepEqual(await ids('type=Shop&q=owner==urn:ngsi-ld:Person:8'), ['3']);
      assert.deepEqual(await ids('type=Shop&q=inspectedAt>2026-01-15T00:00:00Z'), ['1', '3']);
    });
    it('groups with parentheses; ; binds tighter than |', async () => {
      assert.deepEqual(await ids(`type=Shop&q=${encodeURIComponent('rating==3|rating==5;kind=="bakery"')}`), [
        '1',
        '2',
      ]);
      assert.deepEqual(
        await ids(`type=Shop&q=${encodeURIComponent('(rating==3|rating==5);kind=="bakery"')}`),
        ['1'],
      );
    });
    it('rejects malformed expressions and never interprets values as SQL', async () => {
      for (const q of [
        'rating>',
        '(rating==1',
        'rating==1)',
        'rating>>1',
        'kind=="unterminated',
        'kind~="(["',
        'rating==1..',
        'a b==1',
      ])
        await problem(await s.call(`/entities?type=Shop&q=${encodeURIComponent(q)}`), 400, 'BadRequestData');
      assert.deepEqual(await ids(`type=Shop&q=${encodeURIComponent('kind=="x\' or 1=1 --"')}`), []);
      assert.deepEqual(await ids(`type=${encodeURIComponent("Shop' or '1'='1")}`), []);
    });
  });

  describe('geo-queries', () => {
    const geo = (georel: string, geometry: string, coordinates: unknown) =>
      `type=Shop&georel=${encodeURIComponent(georel)}&geometry=${geometry}&coordinates=${encodeURIComponent(JSON.stringify(coordinates))}`;
    const box = [
      [
        [120, 30],
        [120.5, 30],
        [120.5, 30.5],
        [120, 30.5],
        [120, 30],
      ],
    ];
    it('near with maxDistance and minDistance', async () => {
      assert.deepEqual(await ids(geo('near;maxDistance==1', 'Point', [120.1, 30.2])), ['1']);
      assert.deepEqual(await ids(geo('near;maxDistance==20000', 'Point', [120.1, 30.2])), ['1', '2']);
      assert.deepEqual(await ids(geo('near;minDistance==20000', 'Point', [120.1, 30.2])), ['3']);
    });
    it('within, intersects, disjoint and equals', async () => {
      assert.deepEqual(await ids(geo('within', 'Polygon', box)), ['1', '2']);
      assert.deepEqual(await ids(geo('intersects', 'Polygon', box)), ['1', '2']);
      assert.deepEqual(await ids(geo('disjoint', 'Polygon', box)), ['3']);
      assert.deepEqual(await ids(geo('equals', 'Point', [121, 31])), ['3']);
      assert.deepEqual(
        await ids(
          geo('intersects', 'LineString', [
            [120.2, 30.0],
            [120.2, 30.6],
          ]),
        ),
        ['2'],
      );
    });
    it('rejects incomplete or invalid geo-queries', async () => {
      await problem(
        await s.call('/entities?type=Shop&georel=near;maxDistance==10&geometry=Point'),
        400,
        'BadRequestData',
      );
      await problem(await s.call(`/entities?${geo('near', 'Point', [1, 2])}`), 400, 'BadRequestData');
      await problem(await s.call(`/entities?${geo('within', 'Polygon', [[1, 2]])}`), 400, 'BadRequestData');
      await problem(await s.call(`/entities?${geo('touches', 'Point', [1, 2])}`), 400, 'BadRequestData');
    });
  });

  describe('batch operations', () => {
    it('create answers 207 with per-entity ProblemDetails', async () => {
      const res = await s.call('/entityOperations/create', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify([
          { id: 'urn:ngsi-ld:Kiosk:1', type: 'Kiosk' },
          { id: 'urn:ngsi-ld:Shop:1', type: 'Shop' },
          { id: 'bad id', type: 'Kiosk' },
        ]),
      });
      assert.equal(res.status, 207);
      const body = await res.json();
      assert.deepEqual(body.success, ['urn:ngsi-ld:Kiosk:1']);
      assert.deepEqual(
        body.errors.map((e: { entityId: string; error: { type: string; status: number } }) => [
          e.entityId,
          e.error.type,
          e.error.status,
        ]),
        [
          ['bad id', `${ERR}BadRequestData`, 400],
          ['urn:ngsi-ld:Shop:1', `${ERR}AlreadyExists`, 409],
        ],
      );
    });
    it('upsert answers 201 with created ids, then 204; update and delete report missing ids', async () => {
      const batch = [{ id: 'urn:ngsi-ld:Kiosk:2', type: 'Kiosk', open: { type: 'Property', value: true } }];
      const first = await s.call('/entityOperations/upsert', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify(batch),
      });
      assert.equal(first.status, 201);
      assert.deepEqual(await first.json(), ['urn:ngsi-ld:Kiosk:2']);
      const second = await s.call('/entityOperations/upsert?options=update', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify([
          { id: 'urn:ngsi-ld:Kiosk:2', type: 'Kiosk', staff: { type: 'Property', value: 2 } },
        ]),
      });
      assert.equal(second.status, 204);
      const kiosk = await (await s.call('/entities/urn:ngsi-ld:Kiosk:2?options=keyValues')).json();
      assert.deepEqual(kiosk, { id: 'urn:ngsi-ld:Kiosk:2', type: 'Kiosk', open: true, staff: 2 });

      const update = await s.call('/entityOperations/update', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify([
          { id: 'urn:ngsi-ld:Kiosk:2', type: 'Kiosk', staff: { type: 'Property', value: 3 } },
          { id: 'urn:ngsi-ld:Kiosk:404', type: 'Kiosk', staff: { type: 'Property', value: 3 } },
        ]),
      });
      assert.equal(update.status, 207);
      const u = await update.json();
      assert.deepEqual(u.success, ['urn:ngsi-ld:Kiosk:2']);
      assert.equal(u.errors[0].error.type, `${ERR}ResourceNotFound`);

      const del = await s.call('/entityOperations/delete', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify(['urn:ngsi-ld:Kiosk:1', 'urn:ngsi-ld:Kiosk:2']),
      });
      assert.equal(del.status, 204);
      const again = await s.call('/entityOperations/delete', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify(['urn:ngsi-ld:Kiosk:1']),
      });
      assert.equal(again.status, 207);
    });
  });

  describe('discovery', () => {
    it('lists types, type details, attributes and attribute details', async () => {
      const types = await (await s.call('/types')).json();
      assert.equal(types.type, 'EntityTypeList');
      assert.ok(types.typeList.includes('Shop'));
      const details = await (await s.call('/types?details=true')).json();
      const shop = details.find((t: { typeName: string }) => t.typeName === 'Shop');
      assert.equal(shop.type, 'EntityType');
      assert.equal(shop.id, 'https://uri.etsi.org/ngsi-ld/default-context/Shop');
      assert.ok(shop.attributeNames.includes('rating'));
      const info = await (await s.call('/types/Shop')).json();
      assert.equal(info.entityCount, 3);
      const loc = info.attributeDetails.find(
        (a: { attributeName: string }) => a.attributeName === 'location',
      );
      assert.deepEqual(loc.attributeTypes, ['GeoProperty']);
      const attr = await (await s.call('/attributes/rating')).json();
      assert.equal(attr.type, 'Attribute');
      assert.equal(attr.attributeCount, 3);
      assert.deepEqual(attr.typeNames, ['Shop']);
      await problem(await s.call('/types/Nothing'), 404, 'ResourceNotFound');
    });
  });

  describe('access control', () => {
    it('requires credentials to read, device.write to write', async () => {
      const anon = await s.call('/entities?type=Shop', { key: null });
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('content-type'), 'application/json');
      const reader = await s.call('/entities?type=Shop', { key: s.readerKey });
      assert.equal(reader.status, 200);
      const readerWrite = await s.call('/entities', {
        key: s.readerKey,
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({ id: 'urn:ngsi-ld:Shop:9', type: 'Shop' }),
      });
      assert.equal(readerWrite.status, 403);
      const readerSubs = await s.call('/subscriptions', { key: s.readerKey });
      assert.equal(readerSubs.status, 403);
    });
  });
});

describe('NGSI-LD with NGSI_LD_PUBLIC_READ', () => {
  it('lets anonymous callers read but not write', async () => {
    const s = await startNgsiLdServer('pglite', { publicRead: true });
    try {
      assert.equal((await s.call('/types', { key: null })).status, 200);
      const write = await s.call('/entities', {
        key: null,
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({ id: 'urn:ngsi-ld:Shop:9', type: 'Shop' }),
      });
      assert.equal(write.status, 401);
    } finally {
      await s.close();
    }
  });
});
