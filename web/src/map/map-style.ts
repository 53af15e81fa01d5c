/**
 * The base map, built from the platform's own data only: division boundaries (district,
 * street, community, grid) as GeoJSON sources. No tiles, no sprites, no glyphs — the
 * style has no text layers, so nothing is fetched from anywhere.
 */
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';

export const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Colours of the SLA light (green until 80 % of the limit, yellow until 100 %, then red). */
export const LIGHT_COLORS = { green: '#2e9d4f', yellow: '#e0a800', red: '#d93025', none: '#8a97a3' } as const;

/** Colours of case states, grouped by the track that holds the case. */
export const STATE_COLORS: Record<string, string> = {
  reported: '#1565c0',
  filed: '#3949ab',
  dispatched: '#8e24aa',
  in_progress: '#bf360c',
  extension_pending: '#bf360c',
  rework: '#c2185b',
  handled: '#00695c',
  deferred: '#6d4c41',
  parked: '#6d4c41',
  closed: '#546e7a',
  evaluated: '#546e7a',
  rejected: '#616161',
  merged: '#616161',
};

export const lightColorExpression: ExpressionSpecification = [
  'match',
  ['get', 'light'],
  'green',
  LIGHT_COLORS.green,
  'yellow',
  LIGHT_COLORS.yellow,
  'red',
  LIGHT_COLORS.red,
  LIGHT_COLORS.none,
];

const stateColorExpression: ExpressionSpecification = [
  'match',
  ['get', 'state'],
  ...Object.entries(STATE_COLORS).flat(),
  '#607d8b',
] as unknown as ExpressionSpecification;

const levelFilter = (level: string): ExpressionSpecification => ['==', ['get', 'level'], level];

/** Layers drawing the divisions: district fills, then lines from grid (thin) to district (bold). */
function divisionLayers(): LayerSpecification[] {
  return [
    {
      id: 'district-fill',
      type: 'fill',
      source: 'divisions',
      filter: levelFilter('district'),
      paint: {
        'fill-color': [
          'match',
          ['%', ['to-number', ['get', 'code'], 0], 4],
          0,
          '#15384d',
          1,
          '#183f36',
          2,
          '#2a3550',
          '#3a3a2a',
        ] as unknown as ExpressionSpecification,
        'fill-opacity': 0.85,
      },
    },
    {
      id: 'focus-fill',
      type: 'fill',
      source: 'divisions',
      filter: ['in', ['get', 'code'], ['literal', []]],
      paint: { 'fill-color': '#4fc3f7', 'fill-opacity': 0.18 },
    },
    {
      id: 'grid-line',
      type: 'line',
      source: 'divisions',
      filter: levelFilter('grid'),
      minzoom: 12.5,
      paint: { 'line-color': '#5d7b8c', 'line-width': 0.5, 'line-opacity': 0.7 },
    },
    {
      id: 'community-line',
      type: 'line',
      source: 'divisions',
      filter: levelFilter('community'),
      minzoom: 11.5,
      paint: { 'line-color': '#7fa3b5', 'line-width': 0.9, 'line-dasharray': [2, 1] },
    },
    {
      id: 'street-line',
      type: 'line',
      source: 'divisions',
      filter: levelFilter('street'),
      paint: { 'line-color': '#a9c7d6', 'line-width': 1.3 },
    },
    {
      id: 'district-line',
      type: 'line',
      source: 'divisions',
      filter: levelFilter('district'),
      paint: { 'line-color': '#e3f2fd', 'line-width': 2.4 },
    },
    {
      id: 'focus-line',
      type: 'line',
      source: 'divisions',
      filter: ['in', ['get', 'code'], ['literal', []]],
      paint: { 'line-color': '#4fc3f7', 'line-width': 3 },
    },
  ];
}

/** Layers drawing cases: heat, clusters sized by count and coloured by the share of red, points. */
function caseLayers(): LayerSpecification[] {
  return [
    {
      id: 'case-heat',
      type: 'heatmap',
      source: 'cases-heat',
      layout: { visibility: 'none' },
      paint: {
        'heatmap-weight': ['match', ['get', 'light'], 'red', 1, 'yellow', 0.6, 0.3],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 9, 0.6, 15, 2],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 9, 8, 15, 28],
        'heatmap-opacity': 0.75,
      },
    },
    {
      id: 'case-cluster',
      type: 'circle',
      source: 'cases',
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': [
          'case',
          ['>', ['/', ['get', 'red'], ['get', 'point_count']], 0.25],
          LIGHT_COLORS.red,
          ['>', ['/', ['+', ['get', 'red'], ['get', 'yellow']], ['get', 'point_count']], 0.25],
          LIGHT_COLORS.yellow,
          LIGHT_COLORS.green,
        ],
        'circle-radius': ['step', ['get', 'point_count'], 10, 10, 14, 100, 19, 1000, 25, 5000, 32],
        'circle-opacity': 0.8,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: 'case-point',
      type: 'circle',
      source: 'cases',
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': lightColorExpression,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 4, 16, 8],
        'circle-stroke-color': stateColorExpression,
        'circle-stroke-width': 2.5,
      },
    },
    {
      id: 'sensor-point',
      type: 'circle',
      source: 'sensors',
      paint: {
        'circle-color': '#00bcd4',
        'circle-radius': 5,
        'circle-stroke-color': '#0d2535',
        'circle-stroke-width': 2,
      },
    },
    {
      id: 'pin-point',
      type: 'circle',
      source: 'pin',
      paint: {
        'circle-color': '#ffca28',
        'circle-radius': 9,
        'circle-stroke-color': '#0d2535',
        'circle-stroke-width': 3,
      },
    },
  ];
}

export interface StyleData {
  divisions: GeoJSON.FeatureCollection;
}

/** The whole style: background, divisions, cases (clustered and heat), sensors, a pin. */
export function buildStyle(data: StyleData): StyleSpecification {
  return {
    version: 8,
    sources: {
      divisions: { type: 'geojson', data: data.divisions },
      cases: {
        type: 'geojson',
        data: EMPTY,
        cluster: true,
        clusterRadius: 48,
        clusterMaxZoom: 15,
        clusterProperties: {
          red: ['+', ['case', ['==', ['get', 'light'], 'red'], 1, 0]],
          yellow: ['+', ['case', ['==', ['get', 'light'], 'yellow'], 1, 0]],
        },
      },
      'cases-heat': { type: 'geojson', data: EMPTY },
      sensors: { type: 'geojson', data: EMPTY },
      pin: { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#0b1b26' } },
      ...divisionLayers(),
      ...caseLayers(),
    ],
  };
}
