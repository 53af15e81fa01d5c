/**
 * A condition's truth at one instant of a device's timeline, from the device's buffered
 * observations (docs/perception.md#rule-semantics). Three-valued: `null` is unknown (no
 * value yet, an empty window, a rate from fewer than two times), and unknown never counts as
 * holding (and `not` of unknown is unknown). `hold` asks with the clear levels of hysteresis
 * (the alert is open); the registry allows no clear level under `not`, where it would narrow
 * what keeps an alert open instead of widening it.
 */
import type { RuleCondition, RuleOperator } from '../../kernel/index.ts';

/** One buffered observation: observation time (ms since the epoch), value, and its id if any. */
export type Sample = [at: number, value: number, id: string | number | null];

/** What a condition reads at an instant. */
export interface Timeline {
  /** The instant (ms since the epoch). */
  readonly t: number;
  /** A property's samples in observation time order (never those after `t` matter). */
  series(property: string): readonly Sample[];
  /** The newest observation time of any property at or before `t`, or null. */
  latestAnyAt(): number | null;
  /** Since when the device is watched: absence counts from here when nothing came before. */
  readonly since: number;
}

/** A leaf of the condition and the value it compared (for an alert's `values`). */
export interface LeafValue {
  readonly label: string;
  readonly value: number | null;
}

type Truth = boolean | null;

const MINUTE = 60_000;

export function compare(value: number, operator: RuleOperator, threshold: number): boolean {
  switch (operator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** Index of the first sample with `at > t` (samples sorted by time). */
export function upperBound(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]![0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The samples in the window (t − minutes, t]. */
function windowOf(samples: readonly Sample[], t: number, minutes: number): readonly Sample[] {
  return samples.slice(upperBound(samples, t - minutes * MINUTE), upperBound(samples, t));
}

function threshold(c: { threshold: number; clearThreshold?: number }, hold: boolean): number {
  return hold && c.clearThreshold !== undefined ? c.clearThreshold : c.threshold;
}

/**
 * The condition's truth at `tl.t`; `hold` = the alert is open (clear levels apply). Every
 * leaf is evaluated (no short cut), and pushed to `leaves` when given.
 */
export function evaluateCondition(
  c: RuleCondition,
  tl: Timeline,
  hold: boolean,
  leaves?: LeafValue[],
): Truth {
  switch (c.kind) {
    case 'and': {
      const truths = c.conditions.map((inner) => evaluateCondition(inner, tl, hold, leaves));
      return truths.includes(false) ? false : truths.includes(null) ? null : true;
    }
    case 'or': {
      const truths = c.conditions.map((inner) => evaluateCondition(inner, tl, hold, leaves));
      return truths.includes(true) ? true : truths.includes(null) ? null : false;
    }
    case 'not': {
      const inner = evaluateCondition(c.condition, tl, hold, leaves);
      return inner === null ? null : !inner;
    }
    case 'value': {
      const samples = tl.series(c.property);
      const i = upperBound(samples, tl.t);
      const value = i > 0 ? samples[i - 1]![1] : null;
      leaves?.push({ label: `${c.property} ${c.operator} ${c.threshold}`, value });
      return value === null ? null : compare(value, c.operator, threshold(c, hold));
    }
    case 'rate': {
      const w = windowOf(tl.series(c.property), tl.t, c.windowMinutes);
      let value: number | null = null;
      if (w.length >= 2 && w[w.length - 1]![0] > w[0]![0]) {
        const [firstAt, first] = w[0]!;
        const [lastAt, last] = w[w.length - 1]!;
        value = (last - first) / ((lastAt - firstAt) / (c.per === 'hour' ? 60 * MINUTE : MINUTE));
      }
      leaves?.push({
        label: `rate(${c.property}, ${c.windowMinutes}min) per ${c.per} ${c.operator} ${c.threshold}`,
        value,
      });
      return value === null ? null : compare(value, c.operator, threshold(c, hold));
    }
    case 'aggregate': {
      const w = windowOf(tl.series(c.property), tl.t, c.windowMinutes);
      let value: number | null = null;
      if (c.aggregate === 'count') value = w.length;
      else if (w.length > 0) {
        const values = w.map((s) => s[1]);
        value =
          c.aggregate === 'max'
            ? Math.max(...values)
            : c.aggregate === 'min'
              ? Math.min(...values)
              : values.reduce((a, b) => a + b, 0) / values.length;
      }
      leaves?.push({
        label: `${c.aggregate}(${c.property}, ${c.windowMinutes}min) ${c.operator} ${c.threshold}`,
        value,
      });
      return value === null ? null : compare(value, c.operator, threshold(c, hold));
    }
    case 'absent': {
      let last: number | null;
      if (c.property === undefined) last = tl.latestAnyAt();
      else {
        const samples = tl.series(c.property);
        const i = upperBound(samples, tl.t);
        last = i > 0 ? samples[i - 1]![0] : null;
      }
      const from = Math.max(last ?? tl.since, tl.since);
      leaves?.push({ label: `absent(${c.property ?? '*'}, ${c.minutes}min)`, value: (tl.t - from) / MINUTE });
      return tl.t - from >= c.minutes * MINUTE;
    }
  }
}
