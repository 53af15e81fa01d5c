/**
 * The temporal API with ngsijs: temporal entity creation, queries with timerel
 * before/after/between, lastN and temporalValues; the history of entities written through
 * the API; device-backed entities projected from `observation.latest` events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent } from '../../src/kernel/index.ts';
import { type NgsiConnection, type NgsiLdTestServer, NGSI, startNgsiLdServer } from './ngsi-ld-fixtures.ts';

const ENV = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld';

describe('NGSI-LD temporal API', () => {
  let s: NgsiLdTestServer;
  let c: NgsiConnection;
  const id = 'urn:ngsi-ld:WaterLevel:river-1';
  const at = (h: number) => `2026-03-01T${String(h).padStart(2, '0')}:00:00Z`;

  before(async () => {
    s = await startNgsiLdServer('pglite');
    c = s.connection();
    const created = await c.ld.createTemporalEntity({
      id,
      type: 'WaterLevel',
      level: [1, 2, 3, 4, 5].map((h) => ({ type: 'Property', value: h * 10, observedAt: at(h) })),
    });
    assert.equal(created.created, true);
    const again = await c.ld.createTemporalEntity({
      id,
      type: 'WaterLevel',
      level: [{ type: 'Property', value: 60, observedAt: at(6) }],
    });
    assert.equal(again.created, false, 'a second creation adds instances (204)');
  });
  after(() => s.close());

  it('queries with timerel between, before and after', async () => {
    const between = await c.ld.queryTemporalEntities({
      type: 'WaterLevel',
      timerel: 'between',
      timeAt: at(2),
      endTimeAt: at(4),
    });
    assert.equal(between.results.length, 1);
    assert.deepEqual(
      between.results[0].level.map((i) => [i.value, i.observedAt]),
      [
        [20, '2026-03-01T02:00:00.000Z'],
        [30, '2026-03-01T03:00:00.000Z'],
      ],
    );
    assert.match(between.results[0].level[0].instanceId, /^urn:ngsi-ld:attribute:instance:/);
    const before = await c.ld.queryTemporalEntities({ type: 'WaterLevel', timerel: 'before', timeAt: at(3) });
    assert.deepEqual(
      before.results[0].level.map((i) => i.value),
      [10, 20],
    );
    const afterQ = await c.ld.queryTemporalEntities({ id, attrs: 'level', timerel: 'after', timeAt: at(4) });
    assert.deepEqual(
      afterQ.results[0].level.map((i) => i.value),
      [50, 60],
    );
  });

  it('answers lastN and the temporalValues representation', async () => {
    const res = await c.ld.queryTemporalEntities({
      type: 'WaterLevel',
      timerel: 'before',
      timeAt: at(12),
      lastN: 2,
      temporalValues: true,
    });
    assert.deepEqual(res.results[0].level, {
      type: 'Property',
      values: [
        [50, '2026-03-01T05:00:00.000Z'],
        [60, '2026-03-01T06:00:00.000Z'],
      ],
    });
  });

  it('retrieves one temporal entity and 404s an unknown one', async () => {
    const res = await s.call(`/temporal/entities/${id}?lastN=1`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(
      body.level.map((i: { value: number }) => i.value),
      [60],
    );
    const missing = await s.call('/temporal/entities/urn:ngsi-ld:WaterLevel:none');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
  });

  it('keeps the history of entities written through the entity API', async () => {
    const eid = 'urn:ngsi-ld:Counter:1';
    await c.ld.createEntity({
      id: eid,
      type: 'Counter',
      count: { type: 'Property', value: 1, observedAt: at(1) },
    });
    await c.ld.updateEntityAttributes(
      { count: { type: 'Property', value: 2, observedAt: at(2) } },
      { id: eid },
    );
    await c.ld.updateEntityAttribute({ value: 3, observedAt: at(3) }, { id: eid, attribute: 'count' });
    const res = await c.ld.queryTemporalEntities({ type: 'Counter', timerel: 'after', timeAt: at(0) });
    assert.deepEqual(
      res.results[0].count.map((i) => i.value),
      [1, 2, 3],
    );
  });

  it('rejects a timerel without timeAt', async () => {
    const res = await s.call(
      '/temporal/entities?type=WaterLevel&timerel=between&timeAt=2026-03-01T00:00:00Z',
    );
    assert.equal(res.status, 400);
    assert.equal((await res.json()).type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    await assert.rejects(
      c.ld.queryTemporalEntities({ type: 'WaterLevel', timerel: 'sometime', timeAt: at(1) }),
      (e: Error) => e instanceof NGSI.BadRequestError,
    );
  });

  it('projects latest observations into Smart Data Models entities with history', async () => {
    const bus = s.app.kernel.bus;
    for (const [h, pm25] of [
      [1, 35],
      [2, 80],
    ] as const)
      await bus.publish(
        createEvent(
          'observation.latest',
          {
            deviceId: 'aq-001',
            sensorType: 'air-quality-station',
            ngsiType: 'AirQualityObserved',
            location: { type: 'Point', coordinates: [120.16, 30.27] },
            values: {
              pm25: { value: pm25, unit: 'ug/m3', time: at(h) },
              aqi: { value: pm25 * 1.5, unit: '1', time: at(h) },
            },
          },
          new Date(at(h)),
        ),
      );
    const current = await c.ld.getEntity({ id: 'urn:ngsi-ld:AirQualityObserved:aq-001', '@context': ENV });
    assert.equal(current.entity.type, 'AirQualityObserved');
    assert.equal(current.entity.pm25.value, 80);
    assert.equal(current.entity.pm25.unitCode, 'ug/m3');
    assert.equal(current.entity.airQualityIndex.value, 120);
    assert.equal(current.entity.refDevice.object, 'urn:ngsi-ld:Device:aq-001');
    const history = await c.ld.queryTemporalEntities({
      type: 'AirQualityObserved',
      attrs: 'pm25',
      timerel: 'after',
      timeAt: at(0),
      '@context': ENV,
    });
    assert.deepEqual(
      history.results[0].pm25.map((i) => i.value),
      [35, 80],
    );
    // Without the Smart Data Models context the attribute comes back as its full IRI.
    const raw = await s.call('/entities/urn:ngsi-ld:AirQualityObserved:aq-001');
    const body = await raw.json();
    assert.equal(body.type, 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved');
    assert.ok(body['https://smartdatamodels.org/dataModel.Environment/pm25']);
  });
});
