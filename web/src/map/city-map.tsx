/**
 * The city map: MapLibre over the style of `map-style.ts`, fed with GeoJSON the screens
 * pass in. Works with the keyboard (arrows pan, +/- zoom once the map has focus);
 * everything clickable on it is also reachable from a list beside it.
 */
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, LngLatBoundsLike } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { useEffect, useRef, useState } from 'react';
import { buildStyle, EMPTY } from './map-style.ts';

maplibregl.setWorkerUrl(workerUrl);

export interface CityMapProps {
  /** Accessible name of the map region. */
  label: string;
  divisions: GeoJSON.FeatureCollection | null;
  cases?: GeoJSON.FeatureCollection;
  sensors?: GeoJSON.FeatureCollection;
  heat?: boolean;
  /** Division codes to highlight; the map zooms to them. */
  focusCodes?: string[];
  pin?: [number, number] | null;
  onPick?: (lon: number, lat: number) => void;
  onCaseClick?: (id: string) => void;
  onSensorClick?: (id: string) => void;
  className?: string;
}

function boundsOf(fc: GeoJSON.FeatureCollection, codes?: string[]): LngLatBoundsLike | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    } else if (Array.isArray(c)) for (const d of c) visit(d);
  };
  for (const f of fc.features) {
    if (codes?.length && !codes.includes(String(f.properties?.code))) continue;
    if (!codes?.length && f.properties?.level !== 'district') continue;
    if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  }
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}

export function CityMap(props: CityMapProps) {
  const container = useRef<HTMLElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [loaded, setLoaded] = useState(false);
  const handlers = useRef(props);
  handlers.current = props;

  useEffect(() => {
    if (!container.current) return;
    const map = new maplibregl.Map({
      container: container.current,
      style: buildStyle({ divisions: EMPTY }),
      center: [120.12, 30.24],
      zoom: 11,
      attributionControl: false,
      maxPitch: 0,
      dragRotate: false,
      locale: { 'Map.Title': handlers.current.label },
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    map.on('load', () => setLoaded(true));
    map.on('click', 'case-cluster', async (event) => {
      const feature = event.features?.[0];
      if (!feature) return;
      const source = map.getSource('cases') as GeoJSONSource;
      const zoom = await source.getClusterExpansionZoom(feature.properties.cluster_id as number);
      map.easeTo({ center: (feature.geometry as GeoJSON.Point).coordinates as [number, number], zoom });
    });
    map.on('click', 'case-point', (event) => {
      const id = event.features?.[0]?.properties?.id;
      if (id) handlers.current.onCaseClick?.(String(id));
    });
    map.on('click', 'sensor-point', (event) => {
      const id = event.features?.[0]?.properties?.id;
      if (id) handlers.current.onSensorClick?.(String(id));
    });
    map.on('click', (event) => {
      if (map.queryRenderedFeatures(event.point, { layers: ['case-point', 'case-cluster'] }).length) return;
      handlers.current.onPick?.(event.lngLat.lng, event.lngLat.lat);
    });
    for (const layer of ['case-cluster', 'case-point', 'sensor-point']) {
      map.on('mouseenter', layer, () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', layer, () => {
        map.getCanvas().style.cursor = '';
      });
    }
    mapRef.current = map;
    return () => {
      map.remove();
      mapRef.current = null;
    };
  }, []);

  const { divisions, cases, sensors, heat, focusCodes, pin } = props;

  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map || !divisions) return;
    (map.getSource('divisions') as GeoJSONSource).setData(divisions);
    const bounds = boundsOf(divisions, focusCodes);
    if (bounds) map.fitBounds(bounds, { padding: 24, duration: 0 });
    const filter: maplibregl.FilterSpecification = ['in', ['get', 'code'], ['literal', focusCodes ?? []]];
    map.setFilter('focus-fill', filter);
    map.setFilter('focus-line', filter);
  }, [loaded, divisions, focusCodes]);

  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map) return;
    const data = cases ?? EMPTY;
    (map.getSource('cases') as GeoJSONSource).setData(data);
    (map.getSource('cases-heat') as GeoJSONSource).setData(data);
    if (cases) {
      map.once('idle', () => {
        performance.mark('onecity:cases-rendered');
        map.getContainer().dataset.casesRendered = String(cases.features.length);
      });
    }
  }, [loaded, cases]);

  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map) return;
    map.setLayoutProperty('case-heat', 'visibility', heat ? 'visible' : 'none');
  }, [loaded, heat]);

  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map) return;
    (map.getSource('sensors') as GeoJSONSource).setData(sensors ?? EMPTY);
  }, [loaded, sensors]);

  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map) return;
    (map.getSource('pin') as GeoJSONSource).setData(
      pin
        ? {
            type: 'FeatureCollection',
            features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: pin } }],
          }
        : EMPTY,
    );
  }, [loaded, pin]);

  return (
    <section
      ref={container}
      className={`city-map ${props.className ?? ''}`}
      aria-label={props.label}
      data-map-loaded={loaded ? 'true' : 'false'}
    />
  );
}
