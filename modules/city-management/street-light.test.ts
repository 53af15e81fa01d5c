import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import plate, { DARK_LUX, streetLightFault } from './index.ts';

describe('city-management street lights', () => {
  const light = plate.sensorTypes?.find((s) => s.code === 'street-light');

  it('declares the street light as a Smart Data Models Streetlight with its datastreams', () => {
    assert.equal(light?.ngsiType, 'Streetlight');
    assert.deepEqual(
      light?.datastreams.map((d) => `${d.property}:${d.unit}`),
      ['status:1', 'power:W', 'illuminance:lx', 'energy:kW.h'],
    );
    assert.deepEqual(
      light?.derived?.map((d) => d.property),
      ['fault'],
    );
    assert.ok(plate.entityTypes?.some((t) => t.type === 'Streetlight'));
    assert.ok(plate.mapLayers?.some((l) => l.source === 'devices' && l.filter === 'street-light'));
  });

  it('derives a fault when the lamp is off in the dark, and opens a street lamp case on it', () => {
    assert.equal(streetLightFault({ status: 0, illuminance: DARK_LUX - 1 }), 1);
    assert.equal(streetLightFault({ status: 1, illuminance: 2 }), 0);
    assert.equal(streetLightFault({ status: 0, illuminance: 20_000 }), 0, 'off by day is fine');
    assert.equal(streetLightFault({ status: 0 }), null);
    const rule = plate.rules?.find((r) => r.sensorType === 'street-light');
    assert.equal(rule?.property, 'fault');
    assert.equal(rule?.createCase?.category, 'CM.C.01.08');
    assert.ok(plate.categories?.some((c) => c.code === 'CM.C.01.08'));
  });
});
