/**
 * Indicators of docs/indicators.md for a period P = [from, to) and a scope (division at any
 * level, lead department, category, channel), computed by SQL aggregates; rates are the
 * ratio of two counts, null when the denominator is zero. docs/indicators.md states each
 * definition exactly as implemented here; the fixture in indicators.test.ts pins them.
 */
import { type RawBuilder, sql } from 'kysely';
import { authorize, isCityWide, type Principal } from '../../identity/index.ts';
import { InvalidInputError, NotFoundError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import type { Milestone } from '../store/case-outbox.ts';
import type { Channel } from '../rules/case-model.ts';
import { localParts } from '../rules/sla-clock.ts';

/** Channels through which citizens report (the three rates are about them). */
export const CITIZEN_CHANNELS: readonly Channel[] = ['hotline', 'web', 'app', 'open311'];

/** Default weights of the composite score: response 30, resolution 35, satisfaction 35. */
export const DEFAULT_WEIGHTS = Object.freeze({ response: 30, resolution: 35, satisfaction: 35 });
export type Weights = { response: number; resolution: number; satisfaction: number };

export interface IndicatorQuery {
  /** `YYYY-MM-DD` (local midnight in the city time zone) or an ISO date-time. */
  from: string;
  to: string;
  division?: string;
  department?: string;
  category?: string;
  channel?: Channel;
  weights?: Weights;
}

export interface IndicatorCounts {
  due: number;
  deferred: number;
  closedAmongDue: number;
  closedOnTimeAmongDue: number;
  handledCases: number;
  reworkedCases: number;
  dispatchedCases: number;
  extendedCases: number;
  dispatches: number;
  returns: number;
  received: number;
  respondedInTime: number;
  resolved: number;
  rated: number;
  satisfied: number;
}

export interface IndicatorValues {
  closureRate: number | null;
  onTimeClosureRate: number | null;
  reworkRate: number | null;
  extensionRate: number | null;
  returnRate: number | null;
  accurateDispatchRate: number | null;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  compositeScore: number | null;
}

export interface AverageTimes {
  toFile: number | null;
  toDispatch: number | null;
  toAccept: number | null;
  toHandle: number | null;
  toClose: number | null;
}

export interface IndicatorSet {
  counts: IndicatorCounts;
  indicators: IndicatorValues;
  /** Average working minutes (the SLA clock's working calendar). */
  averageWorkingMinutes: AverageTimes;
}

export interface IndicatorReport extends IndicatorSet {
  period: { from: string; to: string; timeZone: string };
  scope: {
    division: string | null;
    department: string | null;
    category: string | null;
    channel: string | null;
  };
  weights: Weights;
}

export interface RankingItem extends IndicatorSet {
  rank: number;
  key: string;
}

export interface RankingReport {
  period: IndicatorReport['period'];
  by: 'district' | 'department';
  metric: keyof IndicatorValues;
  weights: Weights;
  items: RankingItem[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The instant of local midnight of a `YYYY-MM-DD` in a time zone. */
export function localMidnight(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  const offset = (ms: number) => {
    const p = localParts(new Date(ms), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  };
  let guess = wall - offset(wall);
  guess = wall - offset(guess);
  return new Date(guess);
}

function instant(value: string, field: string, timeZone: string): Date {
  const at = DATE.test(value) ? localMidnight(value, timeZone) : new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new InvalidInputError(`${field} must be YYYY-MM-DD or a date-time.`, { field });
  return at;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

function values(c: IndicatorCounts, w: Weights): IndicatorValues {
  const assessed = c.due - c.deferred;
  const returnRate = ratio(c.returns, c.dispatches);
  const responseRate = ratio(c.respondedInTime, c.received);
  const resolutionRate = ratio(c.resolved, c.received);
  const satisfactionRate = ratio(c.satisfied, c.rated);
  const total = w.response + w.resolution + w.satisfaction;
  const compositeScore =
    responseRate === null || resolutionRate === null || satisfactionRate === null || total <= 0
      ? null
      : ((w.response * responseRate + w.resolution * resolutionRate + w.satisfaction * satisfactionRate) /
          total) *
        100;
  return {
    closureRate: ratio(c.closedAmongDue, assessed),
    onTimeClosureRate: ratio(c.closedOnTimeAmongDue, assessed),
    reworkRate: ratio(c.reworkedCases, c.handledCases),
    extensionRate: ratio(c.extendedCases, c.dispatchedCases),
    returnRate,
    accurateDispatchRate: returnRate === null ? null : 1 - returnRate,
    responseRate,
    resolutionRate,
    satisfactionRate,
    compositeScore,
  };
}

type Key = 'none' | 'district' | 'department';

/** The average each working-time milestone of case_timing feeds. */
const AVERAGE_OF: Readonly<Record<Milestone, keyof AverageTimes>> = {
  file: 'toFile',
  dispatch: 'toDispatch',
  accept: 'toAccept',
  handle: 'toHandle',
  close: 'toClose',
};
/** Named in the query, so that it reads case_timing_minutes (milestone, at) range by range. */
const MILESTONES = Object.keys(AVERAGE_OF);

interface Scope {
  from: Date;
  to: Date;
  q: IndicatorQuery;
  principal: Principal;
}

/**
 * Where a query finds what a scope and a grouping ask about: the case's place (its grid, or
 * its district when it has no grid), district, category and channel, and the department a
 * row is attributed to. Events and milestones carry the first four, copied from their case
 * when written (none of them changes after intake); milestones also carry the case's
 * current lead department (kept equal by a trigger). No question joins a case.
 */
interface ScopeColumns {
  place: RawBuilder<unknown>;
  district: RawBuilder<unknown>;
  category: RawBuilder<unknown>;
  channel: RawBuilder<unknown>;
  department: RawBuilder<unknown>;
}

const CASE_COLUMNS: ScopeColumns = {
  place: sql`coalesce(c.grid_code, c.district_code)`,
  district: sql`c.district_code`,
  category: sql`c.category`,
  channel: sql`c.channel`,
  department: sql`c.lead_department`,
};

/** The columns an events or milestones table carries (alias `alias`), with its department. */
const carried = (alias: string, department: RawBuilder<unknown>): ScopeColumns => ({
  place: sql.raw(`${alias}.place`),
  district: sql.raw(`${alias}.district_code`),
  category: sql.raw(`${alias}.category`),
  channel: sql.raw(`${alias}.channel`),
  department,
});

/** The WHERE fragment of a scope and of the caller's jurisdiction. */
function scopeSql(s: Scope, col: ScopeColumns): RawBuilder<boolean> {
  const parts: RawBuilder<boolean>[] = [];
  if (s.q.division) parts.push(sql<boolean>`${col.place} like ${`${s.q.division}%`}`);
  if (s.q.department) parts.push(sql<boolean>`${col.department} = ${s.q.department}`);
  if (s.q.category)
    parts.push(
      sql<boolean>`(${col.category} = ${s.q.category} or ${col.category} like ${`${s.q.category}.%`})`,
    );
  if (s.q.channel) parts.push(sql<boolean>`${col.channel} = ${s.q.channel}`);
  const p = s.principal;
  if (!isCityWide(p)) {
    const mine: RawBuilder<boolean>[] = p.divisionCodes.map(
      (code) => sql<boolean>`${col.place} like ${`${code}%`}`,
    );
    if (p.departmentCodes.length)
      mine.push(sql<boolean>`${col.department} in (${sql.join(p.departmentCodes.map((d) => sql`${d}`))})`);
    parts.push(mine.length ? sql<boolean>`(${sql.join(mine, sql` or `)})` : sql<boolean>`false`);
  }
  return parts.length ? sql<boolean>`${sql.join(parts, sql` and `)}` : sql<boolean>`true`;
}

function keySql(key: Key, col: ScopeColumns): RawBuilder<string> {
  if (key === 'district') return sql<string>`coalesce(${col.district}, '')`;
  if (key === 'department') return sql<string>`coalesce(${col.department}, '')`;
  return sql<string>`''`;
}

const emptyCounts = (): IndicatorCounts => ({
  due: 0,
  deferred: 0,
  closedAmongDue: 0,
  closedOnTimeAmongDue: 0,
  handledCases: 0,
  reworkedCases: 0,
  dispatchedCases: 0,
  extendedCases: 0,
  dispatches: 0,
  returns: 0,
  received: 0,
  respondedInTime: 0,
  resolved: 0,
  rated: 0,
  satisfied: 0,
});
const emptyTimes = (): AverageTimes => ({
  toFile: null,
  toDispatch: null,
  toAccept: null,
  toHandle: null,
  toClose: null,
});

/*
 * The rows of the four aggregate queries, one per key `k` (int8 and numeric read as numbers).
 */
interface DueRow {
  k: string;
  due: number;
  deferred: number;
  closed: number;
  closed_on_time: number;
}
interface EventCountsRow {
  k: string;
  dispatches: number;
  returns: number;
  handled: number;
  reworked: number;
  dispatched: number;
  extended: number;
}
interface ReceivedRow {
  k: string;
  received: number;
  responded: number;
  resolved: number;
  rated: number;
  satisfied: number;
}
interface TimingRow {
  k: string;
  milestone: Milestone;
  avg: number;
}

/** Runs the four aggregate queries grouped by `key`; returns counts and averages per key. */
async function aggregate(
  engine: CaseEngine,
  s: Scope,
  key: Key,
): Promise<Map<string, { counts: IndicatorCounts; times: AverageTimes }>> {
  const eventCols = carried('e', sql`e.department`);
  const milestoneCols = carried('t', sql`t.lead_department`);
  const { from, to } = s;
  const citizen = sql.join(CITIZEN_CHANNELS.map((ch) => sql`${ch}`));
  const [due, events, received, timing] = await Promise.all([
    sql<DueRow>`
      select ${keySql(key, CASE_COLUMNS)} as k,
        count(*) as due,
        count(*) filter (where c.was_deferred) as deferred,
        count(*) filter (where not c.was_deferred and c.closed_at is not null) as closed,
        count(*) filter (where not c.was_deferred and c.closed_at is not null
                           and c.closed_at <= c.handle_deadline) as closed_on_time
      from case_record c
      where c.handle_deadline >= ${from} and c.handle_deadline < ${to} and ${scopeSql(s, CASE_COLUMNS)}
      group by 1`.execute(engine.db),
    // The period's events alone (they carry their case's place, category and channel),
    // gathered per case. Reworked and extended cases are two small sets (partial indexes
    // case_event_rework and case_history_extension), joined to those cases by hash: one
    // lookup per case in a hash table instead of one index probe per event.
    sql<EventCountsRow>`
      with reworked as (
        select distinct case_id from case_event where action = 'verify' and to_state = 'rework'
      ), extended as (
        select distinct case_id from case_history
        where action = 'decide-extension' and (params->>'approve') = 'true'
      ), per_case as (
        -- One row per case and key: its events of the period, counted once (one hash
        -- aggregate instead of four sorts for the distinct counts).
        -- Byte order ("C"): sorting ids and keys by the database's language collation cost
        -- more than the rest of the query.
        select ${keySql(key, eventCols)} collate "C" as k, e.case_id collate "C" as case_id,
          count(*) filter (where e.action = 'dispatch') as dispatches,
          count(*) filter (where e.action = 'return') as returns,
          bool_or(e.action = 'handle') as handled
        from case_event e
        where e.action in ('handle', 'dispatch', 'return') and e.occurred_at >= ${from} and e.occurred_at < ${to}
          and ${scopeSql(s, eventCols)}
        group by 1, 2
      )
      select k,
        sum(dispatches) as dispatches,
        sum(returns) as returns,
        count(*) filter (where handled) as handled,
        count(*) filter (where handled and rw.case_id is not null) as reworked,
        count(*) filter (where dispatches > 0) as dispatched,
        count(*) filter (where dispatches > 0 and ex.case_id is not null) as extended
      from per_case p
      left join reworked rw on rw.case_id = p.case_id
      left join extended ex on ex.case_id = p.case_id
      group by k`.execute(engine.db),
    sql<ReceivedRow>`
      select ${keySql(key, CASE_COLUMNS)} as k,
        count(*) as received,
        count(*) filter (where s.ended_at is not null and s.deadline is not null
                           and s.ended_at <= s.deadline) as responded,
        count(*) filter (where c.closed_at is not null) as resolved,
        count(*) filter (where c.satisfaction is not null) as rated,
        count(*) filter (where c.satisfaction in ('satisfied', 'basically_satisfied')) as satisfied
      from case_record c
      left join case_stage s on s.case_id = c.id and s.stage = 'file' and s.round = 1
      where c.reported_at >= ${from} and c.reported_at < ${to} and c.channel in (${citizen})
        and ${scopeSql(s, CASE_COLUMNS)}
      group by 1`.execute(engine.db),
    sql<TimingRow>`
      select ${keySql(key, milestoneCols)} as k, t.milestone, avg(t.working_minutes) as avg
      from case_timing t
      where t.milestone in (${sql.join(MILESTONES.map((m) => sql`${m}`))}) and t.at >= ${from} and t.at < ${to}
        and ${scopeSql(s, milestoneCols)}
      group by 1, 2`.execute(engine.db),
  ]);
  const out = new Map<string, { counts: IndicatorCounts; times: AverageTimes }>();
  const at = (k: string) => {
    let v = out.get(k);
    if (!v) {
      v = { counts: emptyCounts(), times: emptyTimes() };
      out.set(k, v);
    }
    return v;
  };
  const n = (x: unknown) => Number(x ?? 0);
  for (const r of due.rows) {
    const c = at(r.k).counts;
    c.due = n(r.due);
    c.deferred = n(r.deferred);
    c.closedAmongDue = n(r.closed);
    c.closedOnTimeAmongDue = n(r.closed_on_time);
  }
  for (const r of events.rows) {
    const c = at(r.k).counts;
    c.dispatches = n(r.dispatches);
    c.returns = n(r.returns);
    c.handledCases = n(r.handled);
    c.reworkedCases = n(r.reworked);
    c.dispatchedCases = n(r.dispatched);
    c.extendedCases = n(r.extended);
  }
  for (const r of received.rows) {
    const c = at(r.k).counts;
    c.received = n(r.received);
    c.respondedInTime = n(r.responded);
    c.resolved = n(r.resolved);
    c.rated = n(r.rated);
    c.satisfied = n(r.satisfied);
  }
  for (const r of timing.rows) at(r.k).times[AVERAGE_OF[r.milestone]] = Number(r.avg);
  return out;
}

function prepare(engine: CaseEngine, principal: Principal, q: IndicatorQuery): Scope {
  authorize(principal, 'indicator.read');
  const tz = engine.calendar.timeZone;
  const from = instant(q.from, 'from', tz);
  const to = instant(q.to, 'to', tz);
  if (to <= from) throw new InvalidInputError('`to` must come after `from`.', { field: 'to' });
  if (
    q.division &&
    !isCityWide(principal) &&
    principal.departmentCodes.length === 0 &&
    !principal.divisionCodes.some((code) => q.division!.startsWith(code))
  )
    throw new NotFoundError(`Division ${q.division} not found.`, 'indicator.division_out_of_scope');
  return { from, to, q, principal };
}

const period = (s: Scope, tz: string) => ({
  from: s.from.toISOString(),
  to: s.to.toISOString(),
  timeZone: tz,
});

/** Every indicator of docs/indicators.md for a period and scope, within the caller's jurisdiction. */
export async function computeIndicators(
  engine: CaseEngine,
  principal: Principal,
  q: IndicatorQuery,
): Promise<IndicatorReport> {
  const s = prepare(engine, principal, q);
  const weights = q.weights ?? DEFAULT_WEIGHTS;
  const got = (await aggregate(engine, s, 'none')).get('') ?? { counts: emptyCounts(), times: emptyTimes() };
  return {
    period: period(s, engine.calendar.timeZone),
    scope: {
      division: q.division ?? null,
      department: q.department ?? null,
      category: q.category ?? null,
      channel: q.channel ?? null,
    },
    weights,
    counts: got.counts,
    indicators: values(got.counts, weights),
    averageWorkingMinutes: got.times,
  };
}

/** The indicators per district or per lead department, ranked by one of them (nulls last). */
export async function rankIndicators(
  engine: CaseEngine,
  principal: Principal,
  q: IndicatorQuery & { by: 'district' | 'department'; metric?: keyof IndicatorValues },
): Promise<RankingReport> {
  const s = prepare(engine, principal, q);
  const weights = q.weights ?? DEFAULT_WEIGHTS;
  const metric = q.metric ?? 'closureRate';
  const groups = await aggregate(engine, s, q.by);
  const items = [...groups.entries()]
    .filter(([k]) => k !== '')
    .map(([key, g]) => ({
      key,
      counts: g.counts,
      indicators: values(g.counts, weights),
      averageWorkingMinutes: g.times,
    }))
    .sort((a, b) => {
      const x = a.indicators[metric];
      const y = b.indicators[metric];
      if (x === y) return a.key < b.key ? -1 : 1;
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x || (a.key < b.key ? -1 : 1);
    })
    .map((item, i) => ({ rank: i + 1, ...item }));
  return { period: period(s, engine.calendar.timeZone), by: q.by, metric, weights, items };
}
