import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DivisionIndex, type IndexedDivision } from './division-index.ts';
import { levelOfCode } from './division-levels.ts';
import { tinyCityFeatures } from './testing.ts';

const divisions: IndexedDivision[] = tinyCityFeatures().map((f) => ({
  code: String(f.properties.code),
  level: levelOfCode(String(f.properties.code))!,
  name: { 'zh-CN': String(f.properties.name_zh), en: String(f.properties.name_en) },
  parentCode: (f.properties.parent as string | undefined) ?? null,
  boundary: f.geometry,
}));
const index = new DivisionIndex(divisions);
const gridAt = (lat: number, lon: number) => index.locate(lat, lon)?.grid?.code ?? null;

describe('DivisionIndex.locate', () => {
  it('returns the whole chain for a point inside a grid', () => {
    const chain = index.locate(30.05, 120.02);
    assert.deepEqual(chain && Object.fromEntries(Object.entries(chain).map(([k, v]) => [k, v?.code])), {
      grid: '33010200100101',
      community: '330102001001',
      street: '330102001',
      district: '330102',
      city: '3301',
    });
    assert.equal(chain?.district?.name.en, 'West District');
  });

  it('gives a point on an edge shared by two grids to the smaller code', () => {
    assert.equal(gridAt(30.05, 120.05), '33010200100101');
    // The district border: West Grid 2 (330102…) is smaller than East Grid 1 (330105…).
    assert.equal(gridAt(30.05, 120.1), '33010200100102');
    assert.equal(index.locate(30.05, 120.1)?.district?.code, '330102');
  });

  it('gives a shared vertex to the smallest code', () => {
    assert.equal(gridAt(30.0, 120.05), '33010200100101');
    assert.equal(gridAt(30.1, 120.1), '33010200100102');
  });

  it('counts points on the outer boundary and its corners as inside', () => {
    assert.equal(gridAt(30.0, 120.0), '33010200100101');
    assert.equal(gridAt(30.1, 120.2), '33010500100101');
    assert.equal(gridAt(30.03, 120.2), '33010500100101');
    assert.equal(gridAt(30.0, 120.13), '33010500100101');
  });

  it('treats the inside of a hole as outside the city, and its edge as inside', () => {
    assert.equal(index.locate(30.05, 120.16), null);
    assert.equal(gridAt(30.04, 120.16), '33010500100101');
    assert.equal(gridAt(30.06, 120.15), '33010500100101');
    assert.equal(gridAt(30.041, 120.151), null);
  });

  it('answers null outside the city, also just beyond its edge', () => {
    assert.equal(index.locate(30.2, 120.1), null);
    assert.equal(index.locate(30.1 + 1e-6, 120.1), null);
    assert.equal(index.locate(30.05, 119.99999), null);
    assert.equal(index.locate(-30.05, -120.05), null);
  });

  it('counts points within 1e-9 degrees of an edge as on it', () => {
    assert.equal(gridAt(30.05, 120.05 + 5e-10), '33010200100101');
    assert.equal(gridAt(30.05, 120.05 + 1e-7), '33010200100102');
  });

  it('answers null when empty', () => {
    assert.equal(new DivisionIndex([]).locate(30, 120), null);
  });

  it('falls back to the deepest division when no grid covers the point', () => {
    const withoutGrids = new DivisionIndex(divisions.filter((d) => d.level !== 'grid'));
    const chain = withoutGrids.locate(30.05, 120.02);
    assert.equal(chain?.grid, null);
    assert.equal(chain?.community?.code, '330102001001');
  });
});
