/**
 * The leader dashboard: the indicators of DESIGN.md §6 by period, district and department
 * — trends, rankings, the three rates — and overdue hotspots on the map.
 */
import { useMemo, useState } from 'react';
import { ENDPOINTS } from '../api/endpoints.ts';
import { casesToFeatures, getDivisionFeatures, listCasesForMap } from '../api/queries.ts';
import { useResource } from '../api/use-resource.ts';
import { EChart } from '../components/echart.tsx';
import { indicatorValue, useIndicators } from '../components/indicator-strip.tsx';
import { ErrorNote, useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { CityMap } from '../map/city-map.tsx';

const PERIODS = ['today', '7d', '30d', '90d'] as const;
const PERIOD_LABEL: Record<(typeof PERIODS)[number], MessageKey> = {
  today: 'period.today',
  '7d': 'period.7d',
  '30d': 'period.30d',
  '90d': 'period.90d',
};

const RATES: ReadonlyArray<[string, MessageKey]> = [
  ['closureRate', 'indicator.closureRate'],
  ['onTimeClosureRate', 'indicator.onTimeRate'],
  ['reworkRate', 'indicator.reworkRate'],
  ['extensionRate', 'indicator.extensionRate'],
  ['returnRate', 'indicator.returnRate'],
  ['accurateDispatchRate', 'indicator.accurateDispatchRate'],
];
const THREE_RATES: ReadonlyArray<[string, MessageKey]> = [
  ['responseRate', 'indicator.responseRate'],
  ['resolutionRate', 'indicator.resolutionRate'],
  ['satisfactionRate', 'indicator.satisfaction'],
  ['compositeScore', 'indicator.composite'],
];

type Row = Record<string, unknown> & { key?: string; scope?: string; name?: string; period?: string };
const rowsOf = (data: Record<string, unknown> | undefined, key: string): Row[] =>
  Array.isArray(data?.[key]) ? (data[key] as Row[]) : [];

export function LeaderDashboard() {
  const { t, number } = useI18n();
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>('30d');
  const missing = useMissing(ENDPOINTS.indicators, ENDPOINTS.cases, ENDPOINTS.divisions);
  const totals = useIndicators({ period });
  const byDistrict = useIndicators({ period, groupBy: 'district' });
  const byDepartment = useIndicators({ period, groupBy: 'department' });
  const trend = useIndicators({ period, groupBy: 'day' });
  const divisions = useResource((s) => getDivisionFeatures(s), [], !missing.includes(ENDPOINTS.divisions));
  const red = useResource(
    (s) => listCasesForMap({ light: 'red' }, 5000, s),
    [],
    !missing.includes(ENDPOINTS.cases),
  );
  const hotspots = useMemo(() => (red.data ? casesToFeatures(red.data) : undefined), [red.data]);
  const pct = (v: number | null) => (v === null ? '—' : `${number(v * 100, 1)}%`);

  const ranking = (rows: Row[], label: string) => {
    const sorted = [...rows].sort(
      (a, b) => (indicatorValue(b, 'closureRate') ?? 0) - (indicatorValue(a, 'closureRate') ?? 0),
    );
    return {
      tooltip: {},
      grid: { left: 120, right: 16, top: 16, bottom: 24 },
      xAxis: { type: 'value', max: 100 },
      yAxis: {
        type: 'category',
        data: sorted.map((r) => String(r.name ?? r.scope ?? r.key ?? '')).reverse(),
      },
      series: [
        {
          name: label,
          type: 'bar',
          data: sorted.map((r) => Math.round((indicatorValue(r, 'closureRate') ?? 0) * 1000) / 10).reverse(),
        },
      ],
    };
  };
  const trendRows = rowsOf(trend.data, 'items');
  const trendOption = {
    tooltip: { trigger: 'axis' },
    legend: { textStyle: { color: '#dfe8ee' } },
    grid: { left: 40, right: 16, top: 40, bottom: 24 },
    xAxis: { type: 'category', data: trendRows.map((r) => String(r.period ?? r.key ?? '')) },
    yAxis: { type: 'value' },
    series: [
      {
        name: t('indicator.intake'),
        type: 'line',
        data: trendRows.map((r) => indicatorValue(r, 'intake') ?? 0),
      },
      {
        name: t('indicator.closed'),
        type: 'line',
        data: trendRows.map((r) => indicatorValue(r, 'closed') ?? 0),
      },
    ],
  };

  return (
    <div className="workspace dashboard">
      <h1>{t('nav.leader')}</h1>
      <div className="field inline">
        <label htmlFor="period">{t('period.label')}</label>
        <select
          id="period"
          value={period}
          onChange={(e) => setPeriod(e.target.value as (typeof PERIODS)[number])}
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(PERIOD_LABEL[p])}
            </option>
          ))}
        </select>
      </div>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={totals.error} />
      {totals.data && (
        <section aria-labelledby="rates-title">
          <h2 id="rates-title">{t('leader.rates')}</h2>
          <div className="cards">
            {RATES.map(([key, label]) => (
              <div className="card" key={key}>
                <span className="value">{pct(indicatorValue(totals.data, key))}</span>
                <span className="label">{t(label)}</span>
              </div>
            ))}
          </div>
          <h2>{t('leader.threeRates')}</h2>
          <div className="cards">
            {THREE_RATES.map(([key, label]) => (
              <div className="card" key={key}>
                <span className="value">
                  {key === 'compositeScore'
                    ? number(indicatorValue(totals.data, key) ?? 0, 1)
                    : pct(indicatorValue(totals.data, key))}
                </span>
                <span className="label">{t(label)}</span>
              </div>
            ))}
          </div>
        </section>
      )}
      <div className="charts">
        {trend.data && (
          <section aria-labelledby="trend-title">
            <h2 id="trend-title">{t('leader.trend')}</h2>
            <EChart option={trendOption} label={t('leader.trend')} />
          </section>
        )}
        {byDistrict.data && (
          <section aria-labelledby="district-rank-title">
            <h2 id="district-rank-title">{t('leader.districtRanking')}</h2>
            <EChart
              option={ranking(rowsOf(byDistrict.data, 'items'), t('indicator.closureRate'))}
              label={t('leader.districtRanking')}
            />
          </section>
        )}
        {byDepartment.data && (
          <section aria-labelledby="dept-rank-title">
            <h2 id="dept-rank-title">{t('leader.departmentRanking')}</h2>
            <EChart
              option={ranking(rowsOf(byDepartment.data, 'items'), t('indicator.closureRate'))}
              label={t('leader.departmentRanking')}
            />
          </section>
        )}
      </div>
      <section aria-labelledby="hotspots-title">
        <h2 id="hotspots-title">
          {t('leader.hotspots')} {red.data ? `(${red.data.length})` : ''}
        </h2>
        <CityMap
          label={t('leader.hotspots')}
          divisions={divisions.data?.fc ?? null}
          cases={hotspots}
          heat
          className="panel-map"
        />
      </section>
    </div>
  );
}
