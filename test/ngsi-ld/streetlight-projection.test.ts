/**
 * The whole platform: street lights of the city-management plate appear as Smart Data Models
 * `Streetlight` entities (checked with ajv against the shipped schema), and the projection of
 * `observation.latest` coalesces bursts of events into few statements, newest values winning.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { createEvent } from '../../src/kernel/index.ts';
import { NGSI_LD } from '../../src/ngsi-ld/index.ts';
import { serviceKey } from '../datahub/datahub-fixtures.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

const LIGHTING =
  'https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld';
const ENV = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld';
const link = (url: string) => `<${url}>; rel="http://www.w3.org/ns/json-ld#context"`;

const standards = [
  path.resolve(import.meta.dirname, '../../../shared/standards'),
  '/work/shared/standards',
].find((d) => {
  try {
    readFileSync(path.join(d, 'README.md'));
    return true;
  } catch {
    return false;
  }
})!;

/** The remote common schema the shipped schema references, stubbed with the constraints used here. */
const COMMON = {
  $id: 'https://smart-data-models.github.io/data-models/common-schema.json',
  definitions: {
    'GSMA-Commons': {
      type: 'object',
      properties: {
        id: { type: 'string', pattern: '^urn:ngsi-ld:[A-Za-z0-9_-]+:\\S+$' },
        name: { type: 'string' },
      },
    },
    'Location-Commons': {
      type: 'object',
      properties: {
        location: {
          type: 'object',
          required: ['type', 'coordinates'],
          properties: {
            type: { enum: ['Point'] },
            coordinates: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } },
          },
        },
      },
    },
    'PhysicalObject-Commons': { type: 'object' },
  },
};

const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;

/** keyValues with NGSI-LD DateTime literals as the plain strings the JSON schema describes. */
const plain = (e: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(e).map(([k, v]) => [
      k,
      v && typeof v === 'object' && '@value' in (v as object) ? (v as { '@value': unknown })['@value'] : v,
    ]),
  );

describe('NGSI-LD Streetlight entities and the coalescing projection (whole platform)', () => {
  let app: TestApp;
  let key: string;
  before(async () => {
    app = await buildTestApp('pglite');
    key = await serviceKey(app, 'ngsi-lights');
  });
  after(() => app.dispose());

  const ingest = async (payload: unknown[]) => {
    const res = await app.app.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { 'x-api-key': key },
      payload,
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  it('publishes a street light as a Streetlight with the Smart Data Models names, valid against the schema', async () => {
    const reg = await app.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: { 'x-api-key': key },
      payload: {
        id: 'light-9',
        name: 'Light 9',
        sensorType: 'street-light',
        location: { lat: 30.25, lon: 120.1 },
      },
    });
    assert.equal(reg.statusCode, 201, reg.body);
    const time = '2026-03-01T14:00:00Z'; // 22:00 in the city
    const report = await ingest([
      { device: 'light-9', property: 'status', time, value: 0 },
      { device: 'light-9', property: 'power', time, value: 0.5 },
      { device: 'light-9', property: 'illuminance', time, value: 2 },
      { device: 'light-9', property: 'energy', time, value: 2310.5 },
    ]);
    assert.equal(report.accepted, 4);
    const res = await app.app.inject({
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:light-9?options=keyValues',
      headers: { 'x-api-key': key, link: link(LIGHTING) },
    });
    assert.equal(res.statusCode, 200, res.body);
    const e = res.json();
    assert.equal(e.type, 'Streetlight');
    assert.equal(e.powerState, 'off');
    assert.equal(e.status, 'defectiveLamp', 'dark and off: the derived fault');
    assert.equal(e.powerConsumption, 0.5);
    assert.equal(e.lifetimePowerConsumption, 2310.5);
    assert.equal(e.illuminance, 2);
    assert.deepEqual(e.refDevice, ['urn:ngsi-ld:Device:light-9']);
    assert.deepEqual(e.location, { type: 'Point', coordinates: [120.1, 30.25] });
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(COMMON);
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(standards, 'smart-data-models/Streetlight/schema.json'), 'utf8')),
    );
    assert.ok(validate(plain(e)), JSON.stringify(validate.errors));

    // Lit again: on and ok.
    await ingest([{ device: 'light-9', property: 'status', time: '2026-03-01T14:15:00Z', value: 1 }]);
    const lit = await app.app.inject({
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Streetlight:light-9?options=keyValues',
      headers: { 'x-api-key': key, link: link(LIGHTING) },
    });
    assert.equal(lit.json().powerState, 'on');
    assert.equal(lit.json().status, 'ok');
    assert.ok(validate(plain(lit.json())), JSON.stringify(validate.errors));
  });

  it('coalesces a burst of observation.latest events into few statements, newest values kept', async () => {
    const broker = app.services(NGSI_LD);
    const real = broker.entities.projectMany.bind(broker.entities);
    let statements = 0;
    let written = 0;
    broker.entities.projectMany = async (writes) => {
      statements++;
      written += writes.length;
      return real(writes);
    };
    try {
      const devices = 40;
      const rounds = 25;
      const publishing: Promise<void>[] = [];
      for (let r = 0; r < rounds; r++)
        for (let d = 0; d < devices; d++) {
          const time = new Date(Date.UTC(2026, 2, 2, 0, r)).toISOString();
          publishing.push(
            app.kernel.bus.publish(
              createEvent(
                'observation.latest',
                {
                  deviceId: `burst-${d}`,
                  sensorType: 'noise-monitor',
                  ngsiType: 'NoiseLevelObserved',
                  location: { type: 'Point', coordinates: [120.1 + d / 1000, 30.2] },
                  values: { laeq: { value: 40 + r, unit: 'dB', time } },
                },
                new Date(time),
              ),
            ),
          );
        }
      await Promise.all(publishing);
      const res = await app.app.inject({
        url: '/ngsi-ld/v1/entities?type=NoiseLevelObserved&idPattern=burst&limit=100&options=keyValues',
        headers: { 'x-api-key': key, link: link(ENV) },
      });
      const entities = res.json() as Array<{ id: string; LAeq: number }>;
      assert.equal(entities.length, devices);
      assert.ok(
        entities.every((e) => e.LAeq === 40 + rounds - 1),
        JSON.stringify(entities.slice(0, 3)),
      );
      assert.ok(statements <= 3, `${statements} statements for ${devices * rounds} events`);
      assert.ok(written <= devices * 2, `${written} entity writes`);
    } finally {
      broker.entities.projectMany = real;
    }
  });
});
