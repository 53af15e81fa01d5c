/**
 * The leader dashboard: the indicators of docs/indicators.md for a period — handling rates, the
 * three rates, trends, rankings of districts and departments (ECharts) — and overdue
 * hotspots on the map.
 */
import { useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { casesToFeatures, countCases, day, getDivisionFeatures, listCasesForMap } from '../api/queries.ts';
import { useResource } from '../api/use-resource.ts';
import { EChart } from '../components/echart.tsx';
import { getIndicators, type IndicatorReport } from '../components/indicator-strip.tsx';
import { ErrorNote, useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { CityMap } from '../map/city-map.tsx';

const PERIODS = { '7d': 7, '30d': 30, '90d': 90 } as const;
type Period = keyof typeof PERIODS;
const PERIOD_LABEL: Record<Period, MessageKey> = {
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
];

interface Ranking {
  items: Array<IndicatorReport & { rank: number; key: string }>;
}

/** At most 15 points on the trend: one per day, or per several days for long periods. */
function buckets(days: number): Array<{ from: number; to: number }> {
  const size = Math.ceil(days / 15);
  const out: Array<{ from: number; to: number }> = [];
  for (let start = -days + 1; start <= 0; start += size)
    out.push({ from: start, to: Math.min(start + size, 1) });
  return out;
}

export function LeaderDashboard() {
  const { t, number } = useI18n();
  const [period, setPeriod] = useState<Period>('30d');
  const days = PERIODS[period];
  const scope = { from: day(-days + 1), to: day(1) };
  const missing = useMissing(ENDPOINTS.indicators, ENDPOINTS.rankings, ENDPOINTS.cases, ENDPOINTS.divisions);
  const ready = !missing.includes(ENDPOINTS.indicators);
  const totals = useResource((s) => getIndicators(scope, s), [period], ready);
  const ranking = (by: 'district' | 'department') => (s: AbortSignal) =>
    api.get<Ranking>(ENDPOINTS.rankings.path, { query: { ...scope, by, metric: 'closureRate' }, signal: s });
  const byDistrict = useResource(ranking('district'), [period], !missing.includes(ENDPOINTS.rankings));
  const byDepartment = useResource(ranking('department'), [period], !missing.includes(ENDPOINTS.rankings));
  const trend = useResource(
    async (s) =>
      Promise.all(
        buckets(days).map(async (b) => ({
          label: day(b.from).slice(5),
          intake: await countCases(
            {
              reportedFrom: new Date(`${day(b.from)}T00:00`).toISOString(),
              reportedTo: new Date(`${day(b.to)}T00:00`).toISOString(),
            },
            s,
          ),
          closure: (await getIndicators({ from: day(b.from), to: day(b.to) }, s)).indicators.closureRate,
        })),
      ),
    [period],
    ready && !missing.includes(ENDPOINTS.cases),
  );
  const divisions = useResource((s) => getDivisionFeatures(s), [], !missing.includes(ENDPOINTS.divisions));
  const red = useResource(
    (s) => listCasesForMap({ light: 'red' }, 5000, s),
    [],
    !missing.includes(ENDPOINTS.cases),
  );
  const hotspots = useMemo(() => (red.data ? casesToFeatures(red.data) : undefined), [red.data]);
  const pct = (v: number | null | undefined) => (v == null ? '—' : `${number(v * 100, 1)}%`);

  const rankingOption = (data: Ranking | undefined) => {
    const items = [...(data?.items ?? [])].reverse();
    return {
      tooltip: {},
      grid: { left: 150, right: 16, top: 16, bottom: 24 },
      xAxis: { type: 'value', max: 100, axisLabel: { color: '#dfe8ee' } },
      yAxis: { type: 'category', data: items.map((r) => r.key), axisLabel: { color: '#dfe8ee' } },
      series: [
        {
          name: t('indicator.closureRate'),
          type: 'bar',
          data: items.map((r) =>
            r.indicators.closureRate == null ? 0 : Math.round(r.indicators.closureRate * 1000) / 10,
          ),
        },
      ],
    };
  };
  const trendOption = {
    tooltip: { trigger: 'axis' },
    legend: { textStyle: { color: '#dfe8ee' } },
    grid: { left: 48, right: 48, top: 40, bottom: 24 },
    xAxis: {
      type: 'category',
      data: (trend.data ?? []).map((b) => b.label),
      axisLabel: { color: '#dfe8ee' },
    },
    yAxis: [
      { type: 'value', axisLabel: { color: '#dfe8ee' } },
      { type: 'value', max: 100, axisLabel: { color: '#dfe8ee', formatter: '{value}%' } },
    ],
    series: [
      { name: t('indicator.intake'), type: 'bar', data: (trend.data ?? []).map((b) => b.intake) },
      {
        name: t('indicator.closureRate'),
        type: 'line',
        yAxisIndex: 1,
        data: (trend.data ?? []).map((b) => (b.closure == null ? null : Math.round(b.closure * 1000) / 10)),
      },
    ],
  };

  return (
    <div className="workspace dashboard">
      <h1>{t('nav.leader')}</h1>
      <div className="field inline">
        <label htmlFor="period">{t('period.label')}</label>
        <select id="period" value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
          {(Object.keys(PERIODS) as Period[]).map((p) => (
            <option key={p} value={p}>
              {t(PERIOD_LABEL[p])}
            </option>
          ))}
        </select>
      </div>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={totals.error ?? byDistrict.error ?? trend.error} />
      <section aria-labelledby="rates-title">
        <h2 id="rates-title">{t('leader.rates')}</h2>
        <div className="cards">
          {RATES.map(([key, label]) => (
            <div className="card" key={key}>
              <span className="value">{pct(totals.data?.indicators[key])}</span>
              <span className="label">{t(label)}</span>
            </div>
          ))}
        </div>
        <h2>{t('leader.threeRates')}</h2>
        <div className="cards">
          {THREE_RATES.map(([key, label]) => (
            <div className="card" key={key}>
              <span className="value">{pct(totals.data?.indicators[key])}</span>
              <span className="label">{t(label)}</span>
            </div>
          ))}
          <div className="card">
            <span className="value">
              {totals.data?.indicators.compositeScore == null
                ? '—'
                : number(totals.data.indicators.compositeScore, 1)}
            </span>
            <span className="label">{t('indicator.composite')}</span>
          </div>
        </div>
      </section>
      <div className="charts">
        <section aria-labelledby="trend-title">
          <h2 id="trend-title">{t('leader.trend')}</h2>
          <EChart option={trendOption} label={t('leader.trend')} />
        </section>
        <section aria-labelledby="district-rank-title">
          <h2 id="district-rank-title">{t('leader.districtRanking')}</h2>
          <EChart option={rankingOption(byDistrict.data)} label={t('leader.districtRanking')} />
        </section>
        <section aria-labelledby="dept-rank-title">
          <h2 id="dept-rank-title">{t('leader.departmentRanking')}</h2>
          <EChart option={rankingOption(byDepartment.data)} label={t('leader.departmentRanking')} />
        </section>
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
