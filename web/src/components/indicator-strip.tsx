/**
 * Today's key indicators (DESIGN.md §6) from `/api/v1/indicators`: intake, closure rate,
 * on-time rate, overdue count, satisfaction.
 */
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useMissing, WaitingForApi } from './waiting-for-api.tsx';

export type Indicators = Record<string, unknown>;

const STRIP: ReadonlyArray<{ key: string; label: MessageKey; rate: boolean }> = [
  { key: 'intake', label: 'indicator.intake', rate: false },
  { key: 'closureRate', label: 'indicator.closureRate', rate: true },
  { key: 'onTimeClosureRate', label: 'indicator.onTimeRate', rate: true },
  { key: 'overdue', label: 'indicator.overdue', rate: false },
  { key: 'satisfactionRate', label: 'indicator.satisfaction', rate: true },
];

/** A number from an indicator answer, whether flat (`closureRate: 0.9`) or nested (`{ value }`). */
export function indicatorValue(data: Indicators | undefined, key: string): number | null {
  const raw = data?.[key];
  if (typeof raw === 'number') return raw;
  if (raw && typeof raw === 'object' && typeof (raw as { value?: unknown }).value === 'number')
    return (raw as { value: number }).value;
  return null;
}

export function useIndicators(query: Record<string, string>, refreshKey = 0) {
  const missing = useMissing(ENDPOINTS.indicators);
  const resource = useResource(
    (signal) => api.get<Indicators>(ENDPOINTS.indicators.path, { query, signal }),
    [JSON.stringify(query), refreshKey],
    missing.length === 0,
  );
  return { ...resource, missing };
}

export function IndicatorStrip({ refreshKey }: { refreshKey: number }) {
  const { t, number } = useI18n();
  const { data, missing } = useIndicators({ period: 'today' }, refreshKey);
  return (
    <section className="indicator-strip" aria-label={t('indicator.strip')}>
      {missing.length > 0 ? (
        <WaitingForApi endpoints={missing} />
      ) : (
        STRIP.map((s) => {
          const v = indicatorValue(data, s.key);
          return (
            <div className="indicator" key={s.key}>
              <span className="value">
                {v === null ? '—' : s.rate ? `${number(v * 100, 1)}%` : number(v)}
              </span>
              <span className="label">{t(s.label)}</span>
            </div>
          );
        })
      )}
    </section>
  );
}
