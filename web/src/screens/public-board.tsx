/**
 * The public board: anonymized cases on the map (aggregated to grids by the server where a
 * point would identify a home) and statistics per district. No personal data.
 */
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import type { LocalizedText } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorNote, useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { CityMap } from '../map/city-map.tsx';

interface Board {
  map?: GeoJSON.FeatureCollection;
  divisions?: GeoJSON.FeatureCollection;
  districts?: Array<{ code: string; name?: LocalizedText | string } & Record<string, unknown>>;
}

export function PublicBoard() {
  const { t, loc, number } = useI18n();
  const missing = useMissing(ENDPOINTS.publicBoard);
  const board = useResource(
    (s) => api.get<Board>(ENDPOINTS.publicBoard.path, { signal: s }),
    [],
    missing.length === 0,
  );
  const districts = board.data?.districts ?? [];
  const columns = [
    ...new Set(districts.flatMap((d) => Object.keys(d).filter((k) => typeof d[k] === 'number'))),
  ];
  return (
    <div className="workspace">
      <h1>{t('nav.board')}</h1>
      <p>{t('board.intro')}</p>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={board.error} />
      <CityMap
        label={t('board.map')}
        divisions={board.data?.divisions ?? null}
        cases={board.data?.map}
        heat
        className="panel-map"
      />
      {districts.length > 0 && (
        <table>
          <caption>{t('board.districts')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('filter.district')}</th>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {districts.map((d) => (
              <tr key={d.code}>
                <td>{loc(d.name ?? d.code)}</td>
                {columns.map((c) => (
                  <td key={c}>{typeof d[c] === 'number' ? number(d[c] as number, 2) : ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
