/**
 * The rule evaluator of one device: observations and clock ticks in, alert transitions out
 * (docs/perception.md#rule-semantics). Pure: no database, no clock (time comes in as
 * arguments), no randomness. The state is plain JSON, updated in place, so that it can be
 * stored between calls and continued on another node or after a restart.
 *
 * Observation time orders everything. An instant is final once the device's horizon,
 * max(newest observation time, newest tick) − lateMinutes, has reached it; each rule steps
 * through the final instants in time order, once. An observation at or before the last
 * horizon comes too late to change what was decided: it is ignored and counted. So any
 * arrival order in which no observation is later than `lateMinutes` gives the same
 * transitions as observation-time order.
 */
import { evaluateCondition, type LeafValue, type Sample, type Timeline, upperBound } from './condition.ts';
import { ANY_PROPERTY, leavesOf, type PerceptionRule, readsOf } from './rule-model.ts';

const MINUTE = 60_000;

/** How late an observation may arrive and still count, unless the caller says otherwise. */
export const DEFAULT_LATE_MINUTES = 2;
/** At most this many observations of one property are kept per device. */
export const DEFAULT_MAX_SAMPLES_PER_PROPERTY = 10_000;
/** An alert carries at most this many observations of the run that raised it (the newest). */
export const EVIDENCE_LIMIT = 20;

export interface EvaluatorOptions {
  /** Allowed lateness by observation time (default {@link DEFAULT_LATE_MINUTES}). */
  readonly lateMinutes?: number;
  /** Bound of the buffer per property (default {@link DEFAULT_MAX_SAMPLES_PER_PROPERTY}). */
  readonly maxSamplesPerProperty?: number;
}

/** An observation as the evaluator takes it. Derived values (AQI) are properties like any. */
export interface RuleObservation {
  readonly property: string;
  /** Observation time, ms since the epoch (arrival time does not matter). */
  readonly at: number;
  readonly value: number;
  /** The stored observation's id, carried into an alert's evidence. */
  readonly id?: string | number;
}

/** An observation that made an alert. */
export interface Evidence {
  readonly property: string;
  readonly at: number;
  readonly value: number;
  readonly id: string | number | null;
}

/** The state of one rule on one device. */
export interface RuleState {
  version: number;
  open: boolean;
  /** Closed: start of the current run of holding instants. Open: start of the current clearing run. */
  runStart: number | null;
  /** The rule's previous instant (for the gap bound). */
  lastInstant: number | null;
  /** Closed: the newest observations of the current run (≤ EVIDENCE_LIMIT). */
  evidence: Evidence[];
  raisedAt: number | null;
  /** Instants at which the open alert's condition held again. */
  repeats: number;
  /** Repeats already reported in a `repeat` transition. */
  reportedRepeats: number;
  lastRepeatAt: number | null;
}

/** Everything the evaluator keeps about one device: small, bounded, JSON. */
export interface DeviceState {
  readonly device: string;
  /** Since when the device is watched (absence counts from here if nothing came). */
  since: number;
  /** Newest observation time seen. */
  newestAt: number | null;
  /** Newest tick. */
  newestTick: number | null;
  /** Instants at or before this are final. */
  horizon: number | null;
  /** Buffered observations per property, sorted by time. */
  series: Record<string, Sample[]>;
  /** Observations ignored because they came later than the allowed lateness. */
  late: number;
  /** Observations dropped by the buffer bound. */
  dropped: number;
  /** Per rule code. */
  rules: Record<string, RuleState>;
}

interface TransitionBase {
  readonly rule: string;
  readonly version: number;
  readonly device: string;
  /** Observation time of the transition (ms since the epoch). */
  readonly at: number;
}

/** The condition has held for forMinutes: raised at the instant it had. */
export interface RaiseTransition extends TransitionBase {
  readonly kind: 'raise';
  /** Start of the run that raised it. */
  readonly since: number;
  /** Each leaf of the condition and its value at `at`. */
  readonly values: readonly LeafValue[];
  /** The newest observations of the run (at most {@link EVIDENCE_LIMIT}). */
  readonly evidence: readonly Evidence[];
}

/** The open alert's condition held again, `count` times since it was raised. */
export interface RepeatTransition extends TransitionBase {
  readonly kind: 'repeat';
  readonly count: number;
}

/** The alert is over. */
export interface ClearTransition extends TransitionBase {
  readonly kind: 'clear';
  readonly raisedAt: number;
  readonly repeats: number;
  /** `condition`: stopped holding (for clearMinutes); the others: the rule changed or went. */
  readonly reason: 'condition' | 'rule-changed' | 'rule-removed';
}

export type AlertTransition = RaiseTransition | RepeatTransition | ClearTransition;

export interface StepResult {
  /** In observation-time order; per rule: raise, repeat, clear. */
  readonly transitions: AlertTransition[];
  /** Observations of this call ignored as too late. */
  readonly late: number;
}

/** A device's state before anything is known of it; absence counts from `since`. */
export function newDeviceState(device: string, since: number): DeviceState {
  return {
    device,
    since,
    newestAt: null,
    newestTick: null,
    horizon: null,
    series: {},
    late: 0,
    dropped: 0,
    rules: {},
  };
}

/**
 * Takes a device's observations (any order, any batch size) and answers the transitions that
 * became final. `rules` are all the rules of the device's sensor type: a rule state without a
 * rule is dropped (its open alert cleared).
 */
export function observe(
  rules: readonly PerceptionRule[],
  state: DeviceState,
  observations: readonly RuleObservation[],
  options: EvaluatorOptions = {},
): StepResult {
  for (const o of observations)
    if (typeof o.property !== 'string' || !Number.isFinite(o.at) || !Number.isFinite(o.value))
      throw new TypeError(`not an observation: ${JSON.stringify(o)}`);
  const transitions = forgetStaleRules(rules, state);
  const reads = readsOfAll(rules);
  const bound = options.maxSamplesPerProperty ?? DEFAULT_MAX_SAMPLES_PER_PROPERTY;
  let late = 0;
  for (const o of observations) {
    if (state.horizon !== null && o.at <= state.horizon) {
      late++;
      continue;
    }
    state.newestAt = Math.max(state.newestAt ?? o.at, o.at);
    if (!reads.has(o.property) && !reads.has(ANY_PROPERTY)) continue;
    state.series[o.property] ??= [];
    const samples = state.series[o.property]!;
    const i = upperBound(samples, o.at);
    const sample: Sample = [o.at, o.value, o.id ?? null];
    // A second value at the same time replaces the first, as the data hub's derived values do.
    if (i > 0 && samples[i - 1]![0] === o.at) samples[i - 1] = sample;
    else samples.splice(i, 0, sample);
    if (samples.length > bound) state.dropped += samples.splice(0, samples.length - bound).length;
  }
  state.late += late;
  transitions.push(...advance(rules, state, reads, options));
  return { transitions, late };
}

/**
 * Tells the device's evaluator that it is `now` (the platform clock): instants up to
 * now − lateMinutes become final even without a new observation, so absences are raised.
 */
export function tick(
  rules: readonly PerceptionRule[],
  state: DeviceState,
  now: number,
  options: EvaluatorOptions = {},
): StepResult {
  if (!Number.isFinite(now)) throw new TypeError(`not a time: ${now}`);
  const transitions = forgetStaleRules(rules, state);
  state.newestTick = Math.max(state.newestTick ?? now, now);
  transitions.push(...advance(rules, state, readsOfAll(rules), options));
  return { transitions, late: 0 };
}

function readsOfAll(rules: readonly PerceptionRule[]): Map<string, number> {
  const all = new Map<string, number>();
  for (const rule of rules)
    for (const [p, back] of readsOf(rule)) all.set(p, Math.max(all.get(p) ?? 0, back));
  return all;
}

function newRuleState(version: number): RuleState {
  return {
    version,
    open: false,
    runStart: null,
    lastInstant: null,
    evidence: [],
    raisedAt: null,
    repeats: 0,
    reportedRepeats: 0,
    lastRepeatAt: null,
  };
}

/** Drops states of rules that are gone or of another version; their open alerts clear. */
function forgetStaleRules(rules: readonly PerceptionRule[], state: DeviceState): AlertTransition[] {
  const out: AlertTransition[] = [];
  const byCode = new Map(rules.map((r) => [r.code, r]));
  if (byCode.size !== rules.length) throw new TypeError('two rules share a code');
  for (const [code, rs] of Object.entries(state.rules)) {
    const rule = byCode.get(code);
    if (rule && rule.version === rs.version) continue;
    if (rs.open)
      out.push({
        kind: 'clear',
        rule: code,
        version: rs.version,
        device: state.device,
        at: state.horizon ?? state.since,
        raisedAt: rs.raisedAt!,
        repeats: rs.repeats,
        reason: rule ? 'rule-changed' : 'rule-removed',
      });
    delete state.rules[code];
  }
  return out;
}

/** Steps every rule through the instants that became final, then trims the buffer. */
function advance(
  rules: readonly PerceptionRule[],
  state: DeviceState,
  reads: Map<string, number>,
  options: EvaluatorOptions,
): AlertTransition[] {
  const lateMs = (options.lateMinutes ?? DEFAULT_LATE_MINUTES) * MINUTE;
  const newest = Math.max(state.newestAt ?? -Infinity, state.newestTick ?? -Infinity);
  if (newest === -Infinity) return [];
  const horizon = newest - lateMs;
  const from = state.horizon;
  if (from !== null && horizon <= from) return [];
  const out: { tr: AlertTransition; order: number }[] = [];
  rules.forEach((rule, order) => {
    state.rules[rule.code] ??= newRuleState(rule.version);
    const rs = state.rules[rule.code]!;
    for (const t of instantsOf(rule, state, from, horizon))
      for (const tr of step(rule, rs, state, t)) out.push({ tr, order });
    if (rs.open && rs.repeats > rs.reportedRepeats) {
      const tr: RepeatTransition = {
        kind: 'repeat',
        rule: rule.code,
        version: rule.version,
        device: state.device,
        at: rs.lastRepeatAt!,
        count: rs.repeats,
      };
      out.push({ tr, order });
      rs.reportedRepeats = rs.repeats;
    }
  });
  state.horizon = horizon;
  trim(state, reads, options.maxSamplesPerProperty ?? DEFAULT_MAX_SAMPLES_PER_PROPERTY);
  // Stable: by time, then by the rules' order; each rule's own transitions keep their order.
  out.sort((a, b) => a.tr.at - b.tr.at || a.order - b.order);
  return out.map((o) => o.tr);
}

/** The sorted times of every sample of the given properties (`'*'`: all) in (from, to]. */
function sampleTimes(
  state: DeviceState,
  properties: Iterable<string>,
  from: number | null,
  to: number,
): number[] {
  const times = new Set<number>();
  const names = new Set(properties);
  const all = names.has(ANY_PROPERTY);
  for (const [p, samples] of Object.entries(state.series)) {
    if (!all && !names.has(p)) continue;
    for (let i = from === null ? 0 : upperBound(samples, from); i < samples.length; i++) {
      const at = samples[i]![0];
      if (at > to) break;
      times.add(at);
    }
  }
  return [...times].sort((a, b) => a - b);
}

/** The first sample time after `t` of the given properties (`'*'`: all), or null. */
function nextTime(state: DeviceState, properties: readonly string[], t: number): number | null {
  const all = properties.includes(ANY_PROPERTY);
  let next: number | null = null;
  for (const [p, samples] of Object.entries(state.series)) {
    if (!all && !properties.includes(p)) continue;
    const i = upperBound(samples, t);
    if (i < samples.length) next = Math.min(next ?? Infinity, samples[i]![0]);
  }
  return next;
}

/**
 * A rule's instants in (from, to]: the times of observations of what it reads, and the
 * onsets of its absences (the last observation before a silence, or `since`, plus the
 * absence's minutes, when nothing came in between).
 */
function instantsOf(rule: PerceptionRule, state: DeviceState, from: number | null, to: number): number[] {
  const instants = new Set(sampleTimes(state, readsOf(rule).keys(), from, to));
  for (const leaf of leavesOf(rule.condition)) {
    if (leaf.kind !== 'absent') continue;
    // An onset in (from, to] follows a time in (from − minutes, to − minutes] with nothing
    // in between: those are the candidates, each checked against the time after it.
    const ms = leaf.minutes * MINUTE;
    const after = from === null ? null : from - ms;
    const properties = [leaf.property ?? ANY_PROPERTY];
    const candidates = sampleTimes(state, properties, after, to - ms);
    if ((after === null || state.since > after) && state.since <= to - ms) candidates.push(state.since);
    for (const a of candidates) {
      const next = nextTime(state, properties, a);
      if (next === null || a + ms < next) instants.add(a + ms);
    }
  }
  return [...instants].sort((a, b) => a - b);
}

function timelineAt(state: DeviceState, t: number): Timeline {
  return {
    t,
    since: state.since,
    series: (p) => state.series[p] ?? [],
    latestAnyAt: () => {
      let latest: number | null = null;
      for (const samples of Object.values(state.series)) {
        const i = upperBound(samples, t);
        if (i > 0) latest = Math.max(latest ?? -Infinity, samples[i - 1]![0]);
      }
      return latest;
    },
  };
}

/** The observations at instant `t` of what the rule reads. */
function evidenceAt(rule: PerceptionRule, state: DeviceState, t: number): Evidence[] {
  const reads = readsOf(rule);
  const out: Evidence[] = [];
  for (const [p, samples] of Object.entries(state.series)) {
    if (!reads.has(p) && !reads.has(ANY_PROPERTY)) continue;
    const i = upperBound(samples, t);
    if (i > 0 && samples[i - 1]![0] === t) {
      const [at, value, id] = samples[i - 1]!;
      out.push({ property: p, at, value, id });
    }
  }
  return out.sort((a, b) => (a.property < b.property ? -1 : a.property > b.property ? 1 : 0));
}

/** One instant of one rule: the explicit state machine closed ⇄ open. */
function step(rule: PerceptionRule, rs: RuleState, state: DeviceState, t: number): AlertTransition[] {
  const tl = timelineAt(state, t);
  const broken = rs.lastInstant !== null && t - rs.lastInstant > rule.maxGapMinutes * MINUTE;
  rs.lastInstant = t;
  const base = { rule: rule.code, version: rule.version, device: state.device, at: t };
  if (!rs.open) {
    if (evaluateCondition(rule.condition, tl, false) !== true) {
      rs.runStart = null;
      rs.evidence = [];
      return [];
    }
    if (rs.runStart === null || broken) {
      rs.runStart = t;
      rs.evidence = [];
    }
    rs.evidence.push(...evidenceAt(rule, state, t));
    if (rs.evidence.length > EVIDENCE_LIMIT) rs.evidence.splice(0, rs.evidence.length - EVIDENCE_LIMIT);
    if (t - rs.runStart < rule.forMinutes * MINUTE) return [];
    const values: LeafValue[] = [];
    evaluateCondition(rule.condition, tl, false, values);
    const raise: RaiseTransition = {
      kind: 'raise',
      ...base,
      since: rs.runStart,
      values,
      evidence: rs.evidence,
    };
    Object.assign(rs, {
      open: true,
      runStart: null,
      evidence: [],
      raisedAt: t,
      repeats: 0,
      reportedRepeats: 0,
      lastRepeatAt: null,
    });
    return [raise];
  }
  if (evaluateCondition(rule.condition, tl, true) === true) {
    rs.runStart = null;
    rs.repeats++;
    rs.lastRepeatAt = t;
    return [];
  }
  if (rs.runStart === null || broken) rs.runStart = t;
  if (t - rs.runStart < rule.clearMinutes * MINUTE) return [];
  const out: (RepeatTransition | ClearTransition)[] = [];
  if (rs.repeats > rs.reportedRepeats)
    out.push({ kind: 'repeat', ...base, at: rs.lastRepeatAt!, count: rs.repeats });
  out.push({ kind: 'clear', ...base, raisedAt: rs.raisedAt!, repeats: rs.repeats, reason: 'condition' });
  Object.assign(rs, {
    open: false,
    runStart: null,
    raisedAt: null,
    repeats: 0,
    reportedRepeats: 0,
    lastRepeatAt: null,
  });
  return out;
}

/**
 * Keeps, per property, what the rules can still read: the samples newer than the horizon
 * minus the longest window or absence that reads the property, and the newest one before.
 */
function trim(state: DeviceState, reads: Map<string, number>, bound: number): void {
  const anyBack = reads.get(ANY_PROPERTY);
  for (const [p, samples] of Object.entries(state.series)) {
    const back = Math.max(reads.get(p) ?? -1, anyBack ?? -1);
    if (back < 0) {
      delete state.series[p];
      continue;
    }
    const cut = upperBound(samples, state.horizon! - back * MINUTE) - 1;
    if (cut > 0) samples.splice(0, cut);
    if (samples.length > bound) state.dropped += samples.splice(0, samples.length - bound).length;
  }
}
