/**
 * Test fixtures for the organization: a tiny rectangular city whose edges, vertices and
 * lake make the boundary rule easy to check by hand.
 *
 *   lat 30.10 ┌──────────┬──────────┬────────────────────┐
 *             │ 33010200 │ 33010200 │ 33010500100101     │
 *             │ 100101   │ 100102   │        ┌──┐ lake   │
 *             │          │          │        └──┘        │
 *   lat 30.00 └──────────┴──────────┴────────────────────┘
 *           120.00     120.05     120.10               120.20
 *   district 330102 = west half, 330105 = east half (with the lake as a hole)
 */
import type { DivisionFeatureCollection } from './divisions.ts';
import type { AreaGeometry, Ring } from './geometry.ts';

/** A counter-clockwise rectangle ring. */
export function rectRing(x1: number, y1: number, x2: number, y2: number): Ring {
  return [
    [x1, y1],
    [x2, y1],
    [x2, y2],
    [x1, y2],
    [x1, y1],
  ];
}

/** A rectangle polygon, with optional rectangular holes (clockwise). */
export function rect(x1: number, y1: number, x2: number, y2: number, ...holes: Ring[]): AreaGeometry {
  return { type: 'Polygon', coordinates: [rectRing(x1, y1, x2, y2), ...holes.map((h) => [...h].reverse())] };
}

/** The lake: lon 120.15–120.17, lat 30.04–30.06. */
export const LAKE = rectRing(120.15, 30.04, 120.17, 30.06);

type Feature = DivisionFeatureCollection['features'][number];
const feature = (code: string, zh: string, en: string, geometry: AreaGeometry, parent?: string): Feature => ({
  type: 'Feature',
  properties: { code, name_zh: zh, name_en: en, ...(parent ? { parent } : {}) },
  geometry,
});

/** The features of the tiny city, parents first. */
export function tinyCityFeatures(): Feature[] {
  return [
    feature('3301', '测试市', 'Test City', rect(120.0, 30.0, 120.2, 30.1, LAKE)),
    feature('330102', '西区', 'West District', rect(120.0, 30.0, 120.1, 30.1), '3301'),
    feature('330105', '东区', 'East District', rect(120.1, 30.0, 120.2, 30.1, LAKE), '3301'),
    feature('330102001', '西街道', 'West Street', rect(120.0, 30.0, 120.1, 30.1), '330102'),
    feature('330105001', '东街道', 'East Street', rect(120.1, 30.0, 120.2, 30.1, LAKE), '330105'),
    feature('330102001001', '西社区', 'West Community', rect(120.0, 30.0, 120.1, 30.1), '330102001'),
    feature('330105001001', '东社区', 'East Community', rect(120.1, 30.0, 120.2, 30.1, LAKE), '330105001'),
    feature('33010200100101', '西一网格', 'West Grid 1', rect(120.0, 30.0, 120.05, 30.1), '330102001001'),
    feature('33010200100102', '西二网格', 'West Grid 2', rect(120.05, 30.0, 120.1, 30.1), '330102001001'),
    feature(
      '33010500100101',
      '东一网格',
      'East Grid 1',
      rect(120.1, 30.0, 120.2, 30.1, LAKE),
      '330105001001',
    ),
  ];
}

/** The tiny city as a FeatureCollection. */
export function tinyCity(): DivisionFeatureCollection {
  return { type: 'FeatureCollection', features: tinyCityFeatures() };
}
