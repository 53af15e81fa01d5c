import { type FormEvent, useState } from 'react';
import { useApiCatalog } from '../../api/catalog.tsx';
import { api } from '../../api/client.ts';
import { ENDPOINTS } from '../../api/endpoints.ts';
import { getDivisionFeatures } from '../../api/queries.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CityMap } from '../../map/city-map.tsx';
import { useSession } from '../../session/session.tsx';
import { CodeOptions } from './admin-forms.tsx';

/** Divisions and grids: counts per level, the map with one to focus on, and (with `org.write`) GeoJSON import. */
export function DivisionsPanel() {
  const { t, number } = useI18n();
  const { can } = useSession();
  const catalog = useApiCatalog();
  const divisions = useResource((s) => getDivisionFeatures(s), []);
  const [focus, setFocus] = useState<string[]>([]);
  const [report, setReport] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const counts = (divisions.data?.divisions ?? []).reduce<Record<string, number>>((acc, d) => {
    acc[d.level] = (acc[d.level] ?? 0) + 1;
    return acc;
  }, {});
  const onImport = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setReport(null);
    const file = (event.currentTarget.elements.namedItem('geojson') as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const result = await api.post<Record<string, unknown>>(
        ENDPOINTS.divisionImport.path,
        JSON.parse(await file.text()),
      );
      setReport(JSON.stringify(result));
      divisions.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <ErrorNote error={divisions.error} />
      <p>
        {Object.entries(counts)
          .map(([level, n]) => `${level}: ${number(n)}`)
          .join(' · ')}
      </p>
      <CityMap
        label={t('admin.divisions')}
        divisions={divisions.data?.fc ?? null}
        focusCodes={focus}
        className="panel-map"
      />
      <div className="field">
        <label htmlFor="division-focus">{t('admin.showDivision')}</label>
        <select id="division-focus" onChange={(e) => setFocus(e.target.value ? [e.target.value] : [])}>
          <option value="">—</option>
          <CodeOptions items={(divisions.data?.divisions ?? []).filter((d) => d.level !== 'grid')} />
        </select>
      </div>
      {can('org.write') && catalog.has(ENDPOINTS.divisionImport) && (
        <form onSubmit={onImport} className="row">
          <div className="field">
            <label htmlFor="geojson">{t('admin.importGeojson')}</label>
            <input
              id="geojson"
              name="geojson"
              type="file"
              accept=".json,.geojson,application/geo+json"
              required
            />
          </div>
          <button type="submit">{t('admin.import')}</button>
        </form>
      )}
      {report && <pre role="status">{report}</pre>}
      <ErrorNote error={error} />
    </section>
  );
}
