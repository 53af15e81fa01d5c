/**
 * The public board: anonymized cases on the map (the server snaps points to ~200 m cells)
 * and figures per district. No personal data.
 */
import { useMemo } from 'react';
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { getPublicDivisionFeatures } from '../api/queries.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorNote, useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { CityMap } from '../map/city-map.tsx';

interface DistrictFigures {
  code: string;
  name?: { 'zh-CN': string; en: string } | string;
  received: number;
  open: number;
  closed: number;
  closureRate?: number | null;
  satisfactionRate?: number | null;
}

export function PublicBoard() {
  const { t, loc, number, lang } = useI18n();
  const missing = useMissing(ENDPOINTS.publicCases, ENDPOINTS.publicDistricts, ENDPOINTS.publicDivisions);
  const headers = { 'accept-language': lang };
  const cases = useResource(
    (s) => api.get<GeoJSON.FeatureCollection>(ENDPOINTS.publicCases.path, { signal: s, headers }),
    [lang],
    !missing.includes(ENDPOINTS.publicCases),
  );
  const districts = useResource(
    (s) => api.get<{ districts: DistrictFigures[] }>(ENDPOINTS.publicDistricts.path, { signal: s }),
    [],
    !missing.includes(ENDPOINTS.publicDistricts),
  );
  const outlines = useResource(
    (s) => getPublicDivisionFeatures(s),
    [],
    !missing.includes(ENDPOINTS.publicDivisions),
  );
  // The public points carry `status` (open/closed); the map colours by `light`.
  const features = useMemo<GeoJSON.FeatureCollection | undefined>(
    () =>
      cases.data && {
        type: 'FeatureCollection',
        features: cases.data.features.map((f) => ({
          ...f,
          properties: { ...f.properties, light: f.properties?.status === 'closed' ? 'green' : 'yellow' },
        })),
      },
    [cases.data],
  );
  const pct = (v: number | null | undefined) => (v == null ? '—' : `${number(v * 100, 1)}%`);
  const rows = districts.data?.districts ?? [];
  return (
    <div className="workspace">
      <h1>{t('nav.board')}</h1>
      <p>{t('board.intro')}</p>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={cases.error ?? districts.error} />
      <p role="status">{features ? t('board.count', { count: features.features.length }) : ''}</p>
      <CityMap
        label={t('board.map')}
        divisions={outlines.data ?? null}
        cases={features}
        className="panel-map"
      />
      <table>
        <caption>{t('board.districts')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('filter.district')}</th>
            <th scope="col">{t('board.received')}</th>
            <th scope="col">{t('board.open')}</th>
            <th scope="col">{t('board.closed')}</th>
            <th scope="col">{t('indicator.closureRate')}</th>
            <th scope="col">{t('indicator.satisfaction')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.code}>
              <td>{loc(d.name ?? d.code)}</td>
              <td>{number(d.received)}</td>
              <td>{number(d.open)}</td>
              <td>{number(d.closed)}</td>
              <td>{pct(d.closureRate)}</td>
              <td>{pct(d.satisfactionRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
