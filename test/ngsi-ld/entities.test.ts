/**
 * Entities over a real socket with ngsijs (a real NGSI-LD client): create, retrieve,
 * query (type, id, idPattern, q, attrs, georel, count, paging), attribute operations,
 * delete — on every backend of the run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/storage.ts';
import { type NgsiConnection, type NgsiLdTestServer, NGSI, startNgsiLdServer } from './ngsi-ld-fixtures.ts';

const room = (
  n: number,
  temperature: number,
  lon: number,
  lat: number,
  extra: Record<string, unknown> = {},
) => ({
  id: `urn:ngsi-ld:Room:${n}`,
  type: 'Room',
  temperature: { type: 'Property', value: temperature, unitCode: 'CEL', observedAt: '2026-03-01T10:00:00Z' },
  name: { type: 'Property', value: `Room ${n}` },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } },
  ...extra,
});

for (const backend of testBackends()) {
  describe(`NGSI-LD entities over ngsijs (${backend})`, () => {
    let s: NgsiLdTestServer;
    let c: NgsiConnection;
    before(async () => {
      s = await startNgsiLdServer(backend);
      c = s.connection();
      // Hangzhou, West Lake area: rooms ~1 km apart along a line of longitude.
      await c.ld.createEntity(room(1, 18, 120.15, 30.25));
      await c.ld.createEntity(room(2, 22, 120.16, 30.25, { status: { type: 'Property', value: 'open' } }));
      await c.ld.createEntity(room(3, 26, 120.2, 30.25, { status: { type: 'Property', value: 'closed' } }));
      await c.ld.createEntity({
        id: 'urn:ngsi-ld:Building:A',
        type: 'Building',
        name: { type: 'Property', value: 'Tower A' },
        hasRoom: { type: 'Relationship', object: 'urn:ngsi-ld:Room:1' },
      });
    });
    after(() => s.close());

    it('creates with 201 and a Location header, and 409 AlreadyExists on a second create', async () => {
      const res = await c.ld.createEntity(room(9, 10, 120, 30));
      assert.equal(res.location, '/ngsi-ld/v1/entities/urn:ngsi-ld:Room:9');
      await assert.rejects(
        c.ld.createEntity(room(9, 10, 120, 30)),
        (e: Error) => e instanceof NGSI.AlreadyExistsError,
      );
      await c.ld.deleteEntity('urn:ngsi-ld:Room:9');
      await assert.rejects(
        c.ld.getEntity('urn:ngsi-ld:Room:9'),
        (e: Error) => e instanceof NGSI.NotFoundError,
      );
    });

    it('answers concurrent creations one by one though they share statements', async () => {
      const post = (body: unknown) =>
        s.call('/entities', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ids = Array.from({ length: 30 }, (_, i) => `urn:ngsi-ld:Lamp:group${i}`);
      const lamp = (id: string, extra: Record<string, unknown> = {}) => ({
        id,
        type: 'Lamp',
        power: { type: 'Property', value: 40 },
        ...extra,
      });
      // Distinct ids, one id sent five times, and one entity the database refuses (year 0)
      // although it passes validation, all at once.
      const twice = 'urn:ngsi-ld:Lamp:groupTwice';
      const bad = lamp('urn:ngsi-ld:Lamp:groupBad', {
        power: { type: 'Property', value: 1, observedAt: '0000-01-01T00:00:00Z' },
      });
      const responses = await Promise.all([
        ...ids.map((id) => post(lamp(id))),
        ...Array.from({ length: 5 }, () => post(lamp(twice))),
        post(bad),
      ]);
      const statuses = responses.map((r) => r.status);
      assert.deepEqual(statuses.slice(0, 30), Array(30).fill(201));
      assert.deepEqual(statuses.slice(30, 35).sort(), [201, 409, 409, 409, 409]);
      assert.ok(statuses[35] >= 400, `the refused entity answered ${statuses[35]}`);
      const listed = await c.ld.queryEntities({ type: 'Lamp', limit: 100 });
      assert.equal(listed.results.length, 31);
      const history = await s.call(`/temporal/entities/${ids[7]}`);
      assert.equal(history.status, 200);
      assert.equal((await history.json()).power.length, 1, 'its first instance recorded once');
      const removed = await s.call('/entityOperations/delete', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([...ids, twice]),
      });
      assert.equal(removed.status, 204);
    });

    it('retrieves normalized, keyValues and attrs-filtered representations', async () => {
      const { entity } = await c.ld.getEntity('urn:ngsi-ld:Room:2');
      assert.equal(entity.type, 'Room');
      assert.deepEqual(entity.temperature, {
        type: 'Property',
        value: 22,
        unitCode: 'CEL',
        observedAt: '2026-03-01T10:00:00.000Z',
      });
      assert.equal(entity.createdAt, undefined, 'no system attributes unless asked');
      const kv = await c.ld.getEntity({
        id: 'urn:ngsi-ld:Room:2',
        keyValues: true,
        attrs: ['temperature', 'status'],
      });
      assert.equal(kv.entity.temperature, 22);
      assert.equal(kv.entity.status, 'open');
      assert.equal(kv.entity.name, undefined);
    });

    it('queries by type and q with the result count', async () => {
      const res = await c.ld.queryEntities({ type: 'Room', q: 'temperature>20', count: true });
      assert.deepEqual(
        res.results.map((e: { id: string }) => e.id),
        ['urn:ngsi-ld:Room:2', 'urn:ngsi-ld:Room:3'],
      );
      assert.equal(res.count, 2);
      const ored = await c.ld.queryEntities({
        type: 'Room',
        q: '(temperature<20|status=="closed");name~="^Room"',
      });
      assert.deepEqual(
        ored.results.map((e: { id: string }) => e.id),
        ['urn:ngsi-ld:Room:1', 'urn:ngsi-ld:Room:3'],
      );
    });

    it('queries by id list, idPattern, attrs and pages with limit/offset', async () => {
      const byId = await c.ld.queryEntities({ id: ['urn:ngsi-ld:Room:3', 'urn:ngsi-ld:Building:A'] });
      assert.equal(byId.results.length, 2);
      const byPattern = await c.ld.queryEntities({ idPattern: '^urn:ngsi-ld:Room:[12]$' });
      assert.equal(byPattern.results.length, 2);
      const withStatus = await c.ld.queryEntities({ type: 'Room', attrs: ['status'] });
      assert.deepEqual(
        withStatus.results.map((e: Record<string, unknown>) => [e.id, Object.keys(e).sort()]),
        [
          ['urn:ngsi-ld:Room:2', ['@context', 'id', 'status', 'type']],
          ['urn:ngsi-ld:Room:3', ['@context', 'id', 'status', 'type']],
        ],
      );
      const page = await c.ld.queryEntities({ type: 'Room', limit: 1, offset: 1, count: true });
      assert.deepEqual(
        page.results.map((e: { id: string }) => e.id),
        ['urn:ngsi-ld:Room:2'],
      );
      assert.equal(page.count, 3);
    });

    it('answers geo-queries: near with maxDistance, within a polygon', async () => {
      const near = await c.ld.queryEntities({
        type: 'Room',
        georel: 'near;maxDistance==1500',
        geometry: 'Point',
        coordinates: '[120.15,30.25]',
      });
      assert.deepEqual(
        near.results.map((e: { id: string }) => e.id),
        ['urn:ngsi-ld:Room:1', 'urn:ngsi-ld:Room:2'],
      );
      const within = await c.ld.queryEntities({
        type: 'Room',
        georel: 'within',
        geometry: 'Polygon',
        coordinates: JSON.stringify([
          [
            [120.17, 30.2],
            [120.3, 30.2],
            [120.3, 30.3],
            [120.17, 30.3],
            [120.17, 30.2],
          ],
        ]),
      });
      assert.deepEqual(
        within.results.map((e: { id: string }) => e.id),
        ['urn:ngsi-ld:Room:3'],
      );
    });

    it('appends (noOverwrite), updates, partially updates and deletes attributes', async () => {
      const id = 'urn:ngsi-ld:Room:1';
      const appended = await c.ld.appendEntityAttributes(
        { humidity: { type: 'Property', value: 40 }, temperature: { type: 'Property', value: 99 } },
        { id, noOverwrite: true },
      );
      assert.deepEqual(appended.updated, ['humidity']);
      assert.equal(appended.notUpdated[0].attributeName, 'temperature');
      assert.equal((await c.ld.getEntity(id)).entity.temperature.value, 18, 'noOverwrite kept the value');

      const updated = await c.ld.updateEntityAttributes(
        {
          temperature: { type: 'Property', value: 19, unitCode: 'CEL' },
          pressure: { type: 'Property', value: 1 },
        },
        { id },
      );
      assert.deepEqual(updated.updated, ['temperature']);
      assert.equal(updated.notUpdated[0].attributeName, 'pressure');

      await c.ld.updateEntityAttribute({ value: 19.5 }, { id, attribute: 'temperature' });
      const after = (await c.ld.getEntity(id)).entity;
      assert.equal(after.temperature.value, 19.5);
      assert.equal(after.temperature.unitCode, 'CEL', 'partial update keeps the other members');

      await c.ld.deleteEntityAttribute({ id, attribute: 'humidity' });
      assert.equal((await c.ld.getEntity(id)).entity.humidity, undefined);
      await assert.rejects(
        c.ld.deleteEntityAttribute({ id, attribute: 'humidity' }),
        (e: Error) => e instanceof NGSI.NotFoundError,
      );
    });

    it('lists types and type details through ngsijs', async () => {
      const types = await c.ld.listTypes();
      assert.equal(types.results.type, 'EntityTypeList');
      assert.deepEqual(types.results.typeList, ['Building', 'Room']);
      const info = await c.ld.getType('Room');
      assert.equal(info.type.entityCount, 3);
      assert.ok(
        info.type.attributeDetails.some((a: { attributeName: string }) => a.attributeName === 'temperature'),
      );
    });
  });
}
