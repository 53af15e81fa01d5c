/**
 * Multi-attributes (ETSI GS CIM 009 v1.8.1 §4.5.5): several instances of one attribute told
 * apart by `datasetId`, with at most one default instance (without it). Create, retrieve,
 * query (`q` matches when any instance does; `attrs` returns every instance), append, update,
 * partial update, delete by `datasetId` and with `deleteAll=true`, subscriptions and history
 * — over a real socket (ngsijs and raw fetch), on every backend of the run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/storage.ts';
import {
  type NgsiAttribute,
  type NgsiLdTestServer,
  type Receiver,
  startNgsiLdServer,
  startReceiver,
} from './ngsi-ld-fixtures.ts';

const JSON_H = { 'content-type': 'application/json' };
const ERR = 'https://uri.etsi.org/ngsi-ld/errors/';
const DS_A = 'urn:ngsi-ld:Dataset:sensorA';
const DS_B = 'urn:ngsi-ld:Dataset:sensorB';

const station = (n: number, speeds: Array<[number, string | undefined]>) => ({
  id: `urn:ngsi-ld:Station:${n}`,
  type: 'Station',
  speed: speeds.map(([value, datasetId]) => ({
    type: 'Property',
    value,
    ...(datasetId ? { datasetId } : {}),
  })),
  name: { type: 'Property', value: `Station ${n}` },
});

type Instance = { type: string; value: unknown; datasetId?: string };
/** Each instance's value by its datasetId; fails unless the attribute is a list of instances. */
const byDataset = (list: Instance[] | NgsiAttribute) => {
  assert.ok(
    Array.isArray(list),
    `a multi-attribute answers its instances as a list: ${JSON.stringify(list)}`,
  );
  return Object.fromEntries(list.map((i) => [i.datasetId ?? 'default', i.value]));
};

for (const backend of testBackends()) {
  describe(`NGSI-LD multi-attributes (${backend})`, () => {
    let s: NgsiLdTestServer;
    let rx: Receiver;
    before(async () => {
      s = await startNgsiLdServer(backend, { allowPrivateEndpoints: true });
      rx = await startReceiver();
    });
    after(async () => {
      await s.close();
      await rx.close();
    });

    const get = async (id: string, query = '') => {
      const res = await s.call(`/entities/${id}${query}`);
      assert.equal(res.status, 200);
      return res.json();
    };
    const ids = async (query: string) => {
      const res = await s.call(`/entities?${query}`);
      assert.equal(res.status, 200, query);
      return (await res.json()).map((e: { id: string }) => e.id);
    };

    it('§4.5.5, §5.6.1: creates with an array of instances and retrieves every instance (ngsijs)', async () => {
      const c = s.connection();
      await c.ld.createEntity(
        station(1, [
          [10, undefined],
          [20, DS_A],
          [30, DS_B],
        ]),
      );
      const { entity } = await c.ld.getEntity('urn:ngsi-ld:Station:1');
      assert.ok(Array.isArray(entity.speed), 'the instances, not one property whose value is the array');
      assert.deepEqual(byDataset(entity.speed), { default: 10, [DS_A]: 20, [DS_B]: 30 });
      for (const i of entity.speed) assert.equal(i.type, 'Property');
      assert.deepEqual(entity.name, { type: 'Property', value: 'Station 1' });
    });

    it('§4.5.5: two instances with one datasetId, or two defaults, are BadRequestData', async () => {
      for (const speeds of [
        [
          [1, DS_A],
          [2, DS_A],
        ],
        [
          [1, undefined],
          [2, undefined],
        ],
      ] as Array<Array<[number, string | undefined]>>) {
        const res = await s.call('/entities', {
          method: 'POST',
          headers: JSON_H,
          body: JSON.stringify(station(90, speeds)),
        });
        assert.equal(res.status, 400);
        assert.equal((await res.json()).type, `${ERR}BadRequestData`);
      }
    });

    it('§4.9, §4.5.5: q matches when any instance matches; attrs returns every instance', async () => {
      await s.call('/entities', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify(
          station(2, [
            [5, DS_A],
            [50, DS_B],
          ]),
        ),
      });
      const both = 'urn:ngsi-ld:Station:1,urn:ngsi-ld:Station:2';
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed==30`), ['urn:ngsi-ld:Station:1']);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed==5`), ['urn:ngsi-ld:Station:2']);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed>40`), ['urn:ngsi-ld:Station:2']);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed<8`), ['urn:ngsi-ld:Station:2']);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed==15..25`), ['urn:ngsi-ld:Station:1']);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed!=5`), [
        'urn:ngsi-ld:Station:1',
        'urn:ngsi-ld:Station:2',
      ]);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed==99`), []);
      assert.deepEqual(await ids(`type=Station&id=${both}&q=speed.datasetId`), []);
      const projected = await (await s.call(`/entities?id=${both}&attrs=speed`)).json();
      assert.deepEqual(
        projected.map((e: { speed: Instance[] }) => byDataset(e.speed)),
        [
          { default: 10, [DS_A]: 20, [DS_B]: 30 },
          { [DS_A]: 5, [DS_B]: 50 },
        ],
      );
      assert.equal(projected[0].name, undefined);
      const kv = await get('urn:ngsi-ld:Station:2', '?options=keyValues');
      assert.deepEqual(kv.speed, [5, 50]);
    });

    it('§5.6.3: append adds an instance by datasetId and replaces the one with the same datasetId', async () => {
      const res = await s.call('/entities/urn:ngsi-ld:Station:2/attrs', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({
          speed: [
            { type: 'Property', value: 7 },
            { type: 'Property', value: 55, datasetId: DS_B },
          ],
        }),
      });
      assert.equal(res.status, 204);
      const e = await get('urn:ngsi-ld:Station:2');
      assert.deepEqual(byDataset(e.speed), { default: 7, [DS_A]: 5, [DS_B]: 55 });
      const keep = await s.call('/entities/urn:ngsi-ld:Station:2/attrs?options=noOverwrite', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({ speed: { type: 'Property', value: 1, datasetId: DS_A } }),
      });
      assert.equal(keep.status, 207);
      assert.deepEqual(byDataset((await get('urn:ngsi-ld:Station:2')).speed), {
        default: 7,
        [DS_A]: 5,
        [DS_B]: 55,
      });
    });

    it('§5.6.2, §5.6.4: update and partial update address the instance by datasetId', async () => {
      const update = await s.call('/entities/urn:ngsi-ld:Station:2/attrs', {
        method: 'PATCH',
        headers: JSON_H,
        body: JSON.stringify({ speed: { type: 'Property', value: 6, datasetId: DS_A } }),
      });
      assert.equal(update.status, 204);
      const unknown = await s.call('/entities/urn:ngsi-ld:Station:2/attrs', {
        method: 'PATCH',
        headers: JSON_H,
        body: JSON.stringify({
          speed: { type: 'Property', value: 0, datasetId: 'urn:ngsi-ld:Dataset:none' },
        }),
      });
      assert.equal(unknown.status, 207);
      assert.deepEqual((await unknown.json()).updated, []);
      const partial = await s.call('/entities/urn:ngsi-ld:Station:2/attrs/speed', {
        method: 'PATCH',
        headers: JSON_H,
        body: JSON.stringify({ value: 56, datasetId: DS_B }),
      });
      assert.equal(partial.status, 204);
      const partialDefault = await s.call('/entities/urn:ngsi-ld:Station:2/attrs/speed', {
        method: 'PATCH',
        headers: JSON_H,
        body: JSON.stringify({ value: 8 }),
      });
      assert.equal(partialDefault.status, 204);
      const e = await get('urn:ngsi-ld:Station:2', '?options=sysAttrs');
      assert.deepEqual(byDataset(e.speed), { default: 8, [DS_A]: 6, [DS_B]: 56 });
      for (const i of e.speed) assert.ok(i.createdAt <= i.modifiedAt);
    });

    it('§5.6.5, §6.7.3.2: delete removes the default, the instance by datasetId, or all with deleteAll', async () => {
      const del = (query: string) =>
        s.call(`/entities/urn:ngsi-ld:Station:2/attrs/speed${query}`, { method: 'DELETE' });
      assert.equal((await del(`?datasetId=${DS_A}`)).status, 204);
      assert.deepEqual(byDataset((await get('urn:ngsi-ld:Station:2')).speed), { default: 8, [DS_B]: 56 });
      const missing = await del(`?datasetId=${DS_A}`);
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).type, `${ERR}ResourceNotFound`);
      assert.equal((await del('')).status, 204);
      // One instance left: stored and answered as a single attribute with its datasetId.
      assert.deepEqual((await get('urn:ngsi-ld:Station:2')).speed, {
        type: 'Property',
        value: 56,
        datasetId: DS_B,
      });
      assert.equal((await del('')).status, 404, 'no default instance left');
      assert.equal((await del('?deleteAll=true')).status, 204);
      assert.equal((await get('urn:ngsi-ld:Station:2')).speed, undefined);
      assert.equal((await del('?deleteAll=maybe')).status, 400);
    });

    it('§4.5.5 in batch upsert (update) and history: instances merge and each is recorded', async () => {
      const res = await s.call('/entityOperations/upsert?options=update', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify([
          {
            id: 'urn:ngsi-ld:Station:1',
            type: 'Station',
            speed: [{ type: 'Property', value: 21, datasetId: DS_A }],
          },
        ]),
      });
      assert.equal(res.status, 204);
      assert.deepEqual(byDataset((await get('urn:ngsi-ld:Station:1')).speed), {
        default: 10,
        [DS_A]: 21,
        [DS_B]: 30,
      });
      const temporal = await (await s.call('/temporal/entities/urn:ngsi-ld:Station:1?attrs=speed')).json();
      const values = temporal.speed.map((i: Instance) => `${i.datasetId ?? 'default'}=${i.value}`).sort();
      assert.deepEqual(values, ['default=10', `${DS_A}=20`, `${DS_A}=21`, `${DS_B}=30`].sort());
    });

    it('§5.6.3, §5.7.2, §5.6.5 with ngsijs: append, query with q, delete by datasetId and deleteAll', async () => {
      const c = s.connection();
      await c.ld.createEntity(station(3, [[1, undefined]]));
      await c.ld.appendEntityAttributes(
        { speed: [{ type: 'Property', value: 70, datasetId: DS_A }] },
        { id: 'urn:ngsi-ld:Station:3' },
      );
      const found = await c.ld.queryEntities({ type: 'Station', q: 'speed==70' });
      assert.deepEqual(
        found.results.map((e: { id: string }) => e.id),
        ['urn:ngsi-ld:Station:3'],
      );
      assert.deepEqual(byDataset(found.results[0].speed), { default: 1, [DS_A]: 70 });
      await c.ld.deleteEntityAttribute({ id: 'urn:ngsi-ld:Station:3', attribute: 'speed', datasetId: DS_A });
      assert.deepEqual((await c.ld.getEntity('urn:ngsi-ld:Station:3')).entity.speed, {
        type: 'Property',
        value: 1,
      });
      await c.ld.appendEntityAttributes(
        { speed: { type: 'Property', value: 71, datasetId: DS_B } },
        { id: 'urn:ngsi-ld:Station:3' },
      );
      await c.ld.deleteEntityAttribute({ id: 'urn:ngsi-ld:Station:3', attribute: 'speed', deleteAll: true });
      assert.equal((await c.ld.getEntity('urn:ngsi-ld:Station:3')).entity.speed, undefined);
      const none = await c.ld.queryEntities({ type: 'Station', q: 'speed==71' });
      assert.deepEqual(none.results, []);
    });

    it('§4.5.5 in subscriptions: q holds when any instance does, and notifications carry every instance', async () => {
      const sub = await s.call('/subscriptions', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({
          type: 'Subscription',
          entities: [{ type: 'Station' }],
          q: 'speed>100',
          notification: { attributes: ['speed'], endpoint: { uri: rx.url } },
        }),
      });
      assert.equal(sub.status, 201);
      await s.call('/entities/urn:ngsi-ld:Station:1/attrs', {
        method: 'POST',
        headers: JSON_H,
        body: JSON.stringify({ speed: { type: 'Property', value: 120, datasetId: DS_B } }),
      });
      await rx.waitFor(1);
      const [e] = rx.received[0].body.data as Array<{ id: string; speed: Instance[] }>;
      assert.equal(e.id, 'urn:ngsi-ld:Station:1');
      assert.deepEqual(byDataset(e.speed), { default: 10, [DS_A]: 21, [DS_B]: 120 });
    });
  });
}
