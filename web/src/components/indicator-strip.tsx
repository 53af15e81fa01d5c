/**
 * Key indicators (docs/indicators.md) in one strip: today's intake and the overdue count (from
 * the case list), closure, on-time and satisfaction rates over the last 30 days (from
 * `/api/v1/indicators`).
 */
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { countCases, day } from '../api/queries.ts';
import { useResource } from '../api/use-resource.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useSession } from '../session/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useMissing, WaitingForApi } from './waiting-for-api.tsx';

/** What `/api/v1/indicators` answers (the parts the app reads). */
export interface IndicatorReport {
  counts: Record<string, number>;
  indicators: Record<string, number | null>;
}

export interface IndicatorScope {
  from: string;
  to: string;
  division?: string;
  department?: string;
}

export const getIndicators = (scope: IndicatorScope, signal?: AbortSignal) =>
  api.get<IndicatorReport>(ENDPOINTS.indicators.path, { query: { ...scope }, signal });

/** Local midnight today as an ISO date-time. */
const todayStart = () => {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
};

const RATES: ReadonlyArray<[string, MessageKey]> = [
  ['closureRate', 'indicator.closureRate'],
  ['onTimeClosureRate', 'indicator.onTimeRate'],
  ['satisfactionRate', 'indicator.satisfaction'],
];

export function IndicatorStrip({ refreshKey, department }: { refreshKey: number; department?: string }) {
  const { t, number } = useI18n();
  const { can } = useSession();
  const missing = useMissing(ENDPOINTS.indicators, ENDPOINTS.cases);
  const counts = useResource(
    async (signal) => ({
      intake: await countCases({ reportedFrom: todayStart(), department }, signal),
      overdue: await countCases({ light: 'red', department }, signal),
    }),
    [refreshKey, department],
    !missing.includes(ENDPOINTS.cases),
  );
  const rates = useResource(
    (signal) => getIndicators({ from: day(-29), to: day(1), department }, signal),
    [refreshKey, department],
    !missing.includes(ENDPOINTS.indicators) && can('indicator.read'),
  );
  const pct = (v: number | null | undefined) => (v == null ? '—' : `${number(v * 100, 1)}%`);
  return (
    <section className="indicator-strip" aria-label={t('indicator.strip')}>
      <WaitingForApi endpoints={missing} />
      <div className="indicator">
        <span className="value">{counts.data ? number(counts.data.intake) : '—'}</span>
        <span className="label">{t('indicator.intake')}</span>
      </div>
      {can('indicator.read') &&
        RATES.map(([key, label]) => (
          <div className="indicator" key={key}>
            <span className="value">{pct(rates.data?.indicators[key])}</span>
            <span className="label">
              {t(label)} {t('indicator.last30')}
            </span>
          </div>
        ))}
      <div className="indicator">
        <span className="value">{counts.data ? number(counts.data.overdue) : '—'}</span>
        <span className="label">{t('indicator.overdue')}</span>
      </div>
    </section>
  );
}
