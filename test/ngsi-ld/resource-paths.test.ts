/**
 * Resource paths as ETSI GS CIM 009 v1.8.1 writes them: the collection resources of clause 6
 * end in a slash (`entities/`, `subscriptions/`, `entityOperations/create/` …). Both forms
 * answer with the same handler (no redirect), over a real socket, on every backend of the
 * run; the OpenAPI document lists each path once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readOpenApiDocument } from '../../scripts/generate-api-types.ts';
import { testBackends } from '../support/storage.ts';
import { type NgsiLdTestServer, startNgsiLdServer } from './ngsi-ld-fixtures.ts';

const JSON_H = { 'content-type': 'application/json' };

const room = (id: string, temperature = 20) => ({
  id,
  type: 'Room',
  temperature: { type: 'Property', value: temperature },
});

for (const backend of testBackends()) {
  describe(`NGSI-LD resource paths with the trailing slash (${backend})`, () => {
    let s: NgsiLdTestServer;
    before(async () => {
      s = await startNgsiLdServer(backend);
    });
    after(() => s.close());

    const post = (path: string, body: unknown) =>
      s.call(path, { method: 'POST', headers: JSON_H, body: JSON.stringify(body), redirect: 'manual' });

    it('§6.4.3.1/§6.4.3.2: POST and GET /entities/ create and query like /entities', async () => {
      const created = await post('/entities/', room('urn:ngsi-ld:Room:slash1'));
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), '/ngsi-ld/v1/entities/urn:ngsi-ld:Room:slash1');
      const slash = await s.call('/entities/?type=Room', { redirect: 'manual' });
      const bare = await s.call('/entities?type=Room');
      assert.equal(slash.status, 200);
      assert.deepEqual(await slash.json(), await bare.json());
      // A second creation through the other form is the same resource: 409.
      assert.equal((await post('/entities', room('urn:ngsi-ld:Room:slash1'))).status, 409);
    });

    it('§6.6.3.1/§6.6.3.2: POST and PATCH /entities/{id}/attrs/ append and update', async () => {
      await post('/entities', room('urn:ngsi-ld:Room:slash2'));
      const appended = await post('/entities/urn:ngsi-ld:Room:slash2/attrs/', {
        humidity: { type: 'Property', value: 40 },
      });
      assert.equal(appended.status, 204);
      const patched = await s.call('/entities/urn:ngsi-ld:Room:slash2/attrs/', {
        method: 'PATCH',
        headers: JSON_H,
        body: JSON.stringify({ temperature: { type: 'Property', value: 25 } }),
      });
      assert.equal(patched.status, 204);
      const e = await (await s.call('/entities/urn:ngsi-ld:Room:slash2?options=keyValues')).json();
      assert.deepEqual(e, { id: 'urn:ngsi-ld:Room:slash2', type: 'Room', temperature: 25, humidity: 40 });
    });

    it('§6.14–§6.17: /entityOperations/create/, /upsert/, /update/, /delete/', async () => {
      const ids = ['urn:ngsi-ld:Room:slash3', 'urn:ngsi-ld:Room:slash4'];
      const created = await post('/entityOperations/create/', [room(ids[0]), room(ids[1])]);
      assert.equal(created.status, 201);
      assert.deepEqual(await created.json(), ids);
      assert.equal((await post('/entityOperations/upsert/', [room(ids[0], 30)])).status, 204);
      assert.equal((await post('/entityOperations/update/', [room(ids[1], 31)])).status, 204);
      const kv = await (await s.call(`/entities?id=${ids.join(',')}&options=keyValues`)).json();
      assert.deepEqual(
        kv.map((e: { temperature: number }) => e.temperature),
        [30, 31],
      );
      assert.equal((await post('/entityOperations/delete/', ids)).status, 204);
      assert.equal((await s.call(`/entities/${ids[0]}`)).status, 404);
    });

    it('§6.10.3.1/§6.10.3.2: POST and GET /subscriptions/', async () => {
      const created = await post('/subscriptions/', {
        type: 'Subscription',
        entities: [{ type: 'Room' }],
        notification: { endpoint: { uri: 'https://example.org/notify' } },
      });
      assert.equal(created.status, 201);
      const location = created.headers.get('location')!;
      assert.match(location, /^\/ngsi-ld\/v1\/subscriptions\//);
      const list: Array<{ id: string }> = await (await s.call('/subscriptions/')).json();
      assert.deepEqual(
        list.map((x) => `/ngsi-ld/v1/subscriptions/${x.id}`),
        [location],
      );
    });

    it('§6.18.3.1/§6.18.3.2: POST and GET /temporal/entities/', async () => {
      const created = await post('/temporal/entities/', {
        id: 'urn:ngsi-ld:Room:slash5',
        type: 'Room',
        temperature: [
          { type: 'Property', value: 1, observedAt: '2026-01-01T00:00:00Z' },
          { type: 'Property', value: 2, observedAt: '2026-01-02T00:00:00Z' },
        ],
      });
      assert.equal(created.status, 201);
      const slash = await s.call('/temporal/entities/?id=urn:ngsi-ld:Room:slash5');
      assert.equal(slash.status, 200);
      const [e] = await slash.json();
      assert.deepEqual(
        e.temperature.map((i: { value: number }) => i.value),
        [1, 2],
      );
    });

    it('§6.25.3.1/§6.27.3.1: GET /types/ and /attributes/', async () => {
      await post('/entities', room('urn:ngsi-ld:Room:slash6'));
      const types = await s.call('/types/');
      assert.equal(types.status, 200);
      assert.ok((await types.json()).typeList.includes('Room'));
      const attrs = await s.call('/attributes/?details=true');
      assert.equal(attrs.status, 200);
      assert.ok(
        (await attrs.json()).some((a: { attributeName: string }) => a.attributeName === 'temperature'),
      );
    });
  });
}

describe('NGSI-LD paths in the OpenAPI document', () => {
  it('lists every NGSI-LD collection path once, without its trailing-slash twin', async () => {
    const doc = await readOpenApiDocument();
    const paths = Object.keys(doc.paths ?? {}).filter((p) => p.startsWith('/ngsi-ld/v1/'));
    assert.ok(paths.includes('/ngsi-ld/v1/entities'));
    assert.deepEqual(
      paths.filter((p) => p.endsWith('/')),
      [],
    );
  });
});
