/**
 * The whole platform: a device registered and observations ingested through the data hub
 * appear as NGSI-LD `Device` and `AirQualityObserved` entities, and the temporal API reads
 * the data hub's stored observations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serviceKey } from '../datahub/datahub-fixtures.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';

const ENV = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld';
const DEV = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld';
const link = (url: string) => `<${url}>; rel="http://www.w3.org/ns/json-ld#context"`;

for (const backend of testBackends())
  describe(`NGSI-LD over the data hub (whole platform, ${backend})`, () => {
    let app: TestApp;
    let key: string;
    before(async () => {
      app = await buildTestApp(backend);
      key = await serviceKey(app, 'ngsi-hub');
      const reg = await app.app.inject({
        method: 'POST',
        url: '/api/v1/devices',
        headers: { 'x-api-key': key },
        payload: {
          id: 'aq-9',
          name: 'AQ 9',
          sensorType: 'air-quality-station',
          location: { lat: 30.27, lon: 120.16 },
        },
      });
      assert.equal(reg.statusCode, 201);
      for (const [time, value] of [
        ['2026-03-02T00:10:00Z', 40],
        ['2026-03-02T00:30:00Z', 42],
      ] as const) {
        const obs = await app.app.inject({
          method: 'POST',
          url: '/api/v1/observations',
          headers: { 'x-api-key': key },
          payload: [{ device: 'aq-9', property: 'pm25', time, value }],
        });
        assert.equal(obs.statusCode, 200);
      }
    });
    after(() => app.dispose());

    it('projects the device and its latest observations', async () => {
      const dev = await app.app.inject({
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Device:aq-9?options=keyValues',
        headers: { 'x-api-key': key, link: link(DEV) },
      });
      assert.equal(dev.statusCode, 200);
      const d = dev.json();
      assert.equal(d.type, 'Device');
      assert.deepEqual(d.location, { type: 'Point', coordinates: [120.16, 30.27] });
      assert.ok(d.controlledProperty.includes('pm25'));
      const cur = await app.app.inject({
        url: '/ngsi-ld/v1/entities?type=AirQualityObserved&q=pm25>41',
        headers: { 'x-api-key': key, link: link(ENV) },
      });
      const [aq] = cur.json();
      assert.equal(aq.id, 'urn:ngsi-ld:AirQualityObserved:aq-9');
      assert.deepEqual(aq.pm25, {
        type: 'Property',
        value: 42,
        unitCode: 'ug/m3',
        observedAt: '2026-03-02T00:30:00.000Z',
      });
    });

    it('serves temporal queries from the data hub observations', async () => {
      const t = await app.app.inject({
        url: '/ngsi-ld/v1/temporal/entities?type=AirQualityObserved&attrs=pm25&timerel=between&timeAt=2026-03-02T00:00:00Z&endTimeAt=2026-03-02T01:00:00Z&options=temporalValues',
        headers: { 'x-api-key': key, link: link(ENV) },
      });
      assert.equal(t.statusCode, 200);
      assert.deepEqual(t.json(), [
        {
          id: 'urn:ngsi-ld:AirQualityObserved:aq-9',
          type: 'AirQualityObserved',
          pm25: {
            type: 'Property',
            values: [
              [40, '2026-03-02T00:10:00.000Z'],
              [42, '2026-03-02T00:30:00.000Z'],
            ],
          },
        },
      ]);
    });

    it('§4.5.5: keeps the instances a client added with a datasetId when observations arrive', async () => {
      const appended = await app.app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-9/attrs',
        headers: { 'x-api-key': key, link: link(ENV), 'content-type': 'application/json' },
        payload: { pm25: { type: 'Property', value: 99, datasetId: 'urn:ngsi-ld:Dataset:model' } },
      });
      assert.equal(appended.statusCode, 204);
      const obs = await app.app.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'x-api-key': key },
        payload: [{ device: 'aq-9', property: 'pm25', time: '2026-03-02T00:50:00Z', value: 44 }],
      });
      assert.equal(obs.statusCode, 200);
      const cur = await app.app.inject({
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-9?attrs=pm25',
        headers: { 'x-api-key': key, link: link(ENV) },
      });
      const pm25 = cur.json().pm25 as Array<{ value: number; datasetId?: string }>;
      assert.deepEqual(pm25.map((i) => [i.datasetId ?? 'default', i.value]).sort(), [
        ['default', 44],
        ['urn:ngsi-ld:Dataset:model', 99],
      ]);
      // A second observation replaces the default instance again, the dataset's stays.
      await app.app.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'x-api-key': key },
        payload: [{ device: 'aq-9', property: 'pm25', time: '2026-03-02T00:55:00Z', value: 45 }],
      });
      const again = await app.app.inject({
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-9?attrs=pm25',
        headers: { 'x-api-key': key, link: link(ENV) },
      });
      assert.deepEqual(
        (again.json().pm25 as Array<{ value: number; datasetId?: string }>)
          .map((i) => [i.datasetId ?? 'default', i.value])
          .sort(),
        [
          ['default', 45],
          ['urn:ngsi-ld:Dataset:model', 99],
        ],
      );
    });
  });
