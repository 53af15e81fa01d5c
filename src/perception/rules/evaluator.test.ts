import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadModules, type RuleCondition } from '../../kernel/index.ts';
import {
  type AlertTransition,
  type DeviceState,
  type EvaluatorOptions,
  newDeviceState,
  observe,
  type PerceptionRule,
  type RuleObservation,
  ruleFromDeclaration,
  tick,
} from './index.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 2, 0, 0);
/** Minutes after T0 as a time. */
const m = (minutes: number) => T0 + minutes * MINUTE;

function rule(condition: RuleCondition, extra: Partial<PerceptionRule> = {}): PerceptionRule {
  return {
    code: 'r',
    version: 1,
    sensorType: 's',
    condition,
    forMinutes: 0,
    clearMinutes: 0,
    maxGapMinutes: 60,
    severity: 'minor',
    ...extra,
  };
}

const above = (property: string, threshold: number, clearThreshold?: number): RuleCondition => ({
  kind: 'value',
  property,
  operator: '>',
  threshold,
  ...(clearThreshold === undefined ? {} : { clearThreshold }),
});

/** Observations of one property at the given minutes. */
function series(property: string, points: readonly [minutes: number, value: number][]): RuleObservation[] {
  return points.map(([minutes, value], i) => ({ property, at: m(minutes), value, id: `${property}-${i}` }));
}

/** Feeds observations in batches of the given sizes (all at once by default), then ticks far ahead. */
function run(
  rules: readonly PerceptionRule[],
  observations: readonly RuleObservation[],
  options: EvaluatorOptions = {},
  { batch = observations.length || 1, endTick = m(100_000), since = m(0) } = {},
): { transitions: AlertTransition[]; state: DeviceState } {
  const state = newDeviceState('dev-1', since);
  const transitions: AlertTransition[] = [];
  for (let i = 0; i < observations.length; i += batch)
    transitions.push(...observe(rules, state, observations.slice(i, i + batch), options).transitions);
  transitions.push(...tick(rules, state, endTick, options).transitions);
  return { transitions, state };
}

/** The raises and clears as `kind@minute`. */
function brief(transitions: readonly AlertTransition[]): string[] {
  return transitions.filter((t) => t.kind !== 'repeat').map((t) => `${t.kind}@${(t.at - T0) / MINUTE}`);
}

/** A seeded PRNG (mulberry32), so a failing shuffle can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('threshold with forMinutes', () => {
  const r = rule(above('aqi', 200), { forMinutes: 60 });
  const every10 = (from: number, to: number, value = 250): [number, number][] =>
    Array.from({ length: (to - from) / 10 + 1 }, (_, i) => [from + i * 10, value]);

  it('does not raise when the condition held just short of forMinutes', () => {
    assert.deepEqual(brief(run([r], series('aqi', [...every10(0, 50), [55, 150]])).transitions), []);
  });

  it('raises at the first observation at which it has held forMinutes, with the run as evidence', () => {
    const { transitions } = run([r], series('aqi', every10(0, 60)));
    assert.deepEqual(brief(transitions), ['raise@60']);
    const raise = transitions[0]!;
    assert.ok(raise.kind === 'raise');
    assert.equal(raise.since, m(0));
    assert.equal(raise.rule, 'r');
    assert.equal(raise.version, 1);
    assert.equal(raise.device, 'dev-1');
    assert.deepEqual(raise.values, [{ label: 'aqi > 200', value: 250 }]);
    assert.deepEqual(
      raise.evidence.map((e) => [e.at, e.id]),
      every10(0, 60).map(([minute], i) => [m(minute), `aqi-${i}`]),
    );
  });

  it('starts over after one value that breaks it', () => {
    const points = every10(0, 120).map(([t, v]): [number, number] => [t, t === 30 ? 200 : v]);
    const { transitions } = run([r], series('aqi', points));
    assert.deepEqual(brief(transitions), ['raise@100']);
    assert.ok(transitions[0]!.kind === 'raise' && transitions[0]!.since === m(40));
  });

  it('starts over after a gap in the data longer than maxGapMinutes', () => {
    const points: [number, number][] = [...every10(0, 30), ...every10(100, 150)];
    assert.deepEqual(brief(run([r], series('aqi', points)).transitions), []);
    const bridged = rule(above('aqi', 200), { forMinutes: 60, maxGapMinutes: 90 });
    assert.deepEqual(brief(run([bridged], series('aqi', points)).transitions), ['raise@100']);
  });

  it('without forMinutes raises at the first holding observation and clears at the first that does not', () => {
    const { transitions } = run(
      [rule(above('so2', 800))],
      series('so2', [
        [0, 500],
        [5, 900],
        [10, 950],
        [15, 700],
      ]),
    );
    assert.deepEqual(
      transitions.map((t) => `${t.kind}@${(t.at - T0) / MINUTE}`),
      ['raise@5', 'repeat@10', 'clear@15'],
    );
    const clear = transitions[2]!;
    assert.ok(clear.kind === 'clear' && clear.raisedAt === m(5) && clear.repeats === 1);
    assert.equal(clear.reason, 'condition');
  });
});

describe('hysteresis', () => {
  const hovering: [number, number][] = Array.from({ length: 20 }, (_, i) => [i * 5, i % 2 ? 201 : 199]);

  it('without a clear level, a value hovering at the threshold flaps', () => {
    const { transitions } = run([rule(above('aqi', 200))], series('aqi', hovering));
    assert.equal(transitions.filter((t) => t.kind === 'raise').length, 10);
  });

  it('with a clear level, hovering raises once and clears once, when the value crosses it', () => {
    const points: [number, number][] = [...hovering, [100, 185], [105, 179], [110, 199]];
    const { transitions } = run([rule(above('aqi', 200, 180))], series('aqi', points));
    assert.deepEqual(brief(transitions), ['raise@5', 'clear@105']);
  });

  it('with clearMinutes, a short dip does not clear; staying below does', () => {
    const r = rule(above('aqi', 200, 180), { clearMinutes: 20 });
    const points: [number, number][] = [
      [0, 250],
      [10, 170],
      [20, 170],
      [25, 190],
      [30, 170],
      [40, 170],
      [50, 170],
      [60, 250],
    ];
    assert.deepEqual(brief(run([r], series('aqi', points)).transitions), ['raise@0', 'clear@50', 'raise@60']);
  });

  it('works downwards: below a threshold, clearing above the clear level', () => {
    // Raised when dissolved oxygen < 2; stays open until it rises to 2.5 or more.
    const r = rule({ kind: 'value', property: 'do', operator: '<', threshold: 2, clearThreshold: 2.5 });
    const points: [number, number][] = [
      [0, 3],
      [10, 1.9],
      [20, 2.3],
      [30, 2.1],
      [40, 2.6],
    ];
    assert.deepEqual(brief(run([r], series('do', points)).transitions), ['raise@10', 'clear@40']);
  });
});

describe('composed conditions', () => {
  const both = rule({ kind: 'and', conditions: [above('pm25', 75), above('pm10', 150)] });
  const either = rule({ kind: 'or', conditions: [above('pm25', 75), above('pm10', 150)] });
  const observations = [
    ...series('pm25', [
      [0, 80],
      [10, 80],
      [20, 50],
      [30, 50],
    ]),
    ...series('pm10', [
      [0, 100],
      [10, 160],
      [20, 160],
      [30, 100],
    ]),
  ];

  it('AND holds when all hold, on the latest value of each property', () => {
    assert.deepEqual(brief(run([both], observations).transitions), ['raise@10', 'clear@20']);
  });

  it('OR holds when one holds', () => {
    assert.deepEqual(brief(run([either], observations).transitions), ['raise@0', 'clear@30']);
  });

  it('NOT inverts, and a property never seen is unknown, which never holds', () => {
    const notAbove = rule({ kind: 'not', condition: above('pm25', 75) });
    assert.deepEqual(brief(run([notAbove], observations).transitions), ['raise@20']);
    const notUnknown = rule({ kind: 'not', condition: above('o3', 100) });
    assert.deepEqual(brief(run([notUnknown], [...observations, ...series('o3', [[25, 90]])]).transitions), [
      'raise@25',
    ]);
  });
});

describe('windows by observation time', () => {
  it('rate of change over a window, per hour', () => {
    // The level rises 1 m per 10 minutes from minute 30: 6 m per hour over the 30-minute window.
    const points: [number, number][] = [
      [0, 2],
      [10, 2],
      [20, 2],
      [30, 3],
      [40, 4],
      [50, 5],
      [60, 6],
      [70, 6],
      [80, 6],
      [90, 6],
    ];
    const r = rule({
      kind: 'rate',
      property: 'level',
      windowMinutes: 30,
      per: 'hour',
      operator: '>',
      threshold: 5,
    });
    const { transitions } = run([r], series('level', points));
    // Window (0, 30]: 2 → 3 over 20 minutes = 3/h; (10, 40]: 2 → 4 = 6/h; (40, 70]: 5 → 6 = 3/h.
    assert.deepEqual(brief(transitions), ['raise@40', 'clear@70']);
    const raise = transitions[0]!;
    assert.ok(raise.kind === 'raise');
    assert.deepEqual(raise.values, [{ label: 'rate(level, 30min) per hour > 5', value: 6 }]);
  });

  it('window mean, max and count', () => {
    const points: [number, number][] = [
      [0, 60],
      [15, 90],
      [30, 90],
      [45, 90],
      [60, 10],
      [75, 10],
    ];
    const windowed = (aggregate: 'mean' | 'max' | 'count', threshold: number) =>
      rule({ kind: 'aggregate', property: 'pm25', aggregate, windowMinutes: 60, operator: '>', threshold });
    const obs = series('pm25', points);
    // Mean over (t−60, t]: 60, 75, 80, 82.5, 70, 50.
    assert.deepEqual(brief(run([windowed('mean', 75)], obs).transitions), ['raise@30', 'clear@60']);
    // Max: 60, 90, 90, 90, 90, 90 (the window (15, 75] still holds 90 at 30 and 45).
    assert.deepEqual(brief(run([windowed('max', 80)], obs).transitions), ['raise@15']);
    // Count: 1, 2, 3, 4, 4, 4 — and the window is half-open, so minute 0 left it at 60.
    assert.deepEqual(brief(run([windowed('count', 3)], obs).transitions), ['raise@45']);
  });
});

describe('absence', () => {
  const silent = rule({ kind: 'absent', minutes: 60 });

  it('raises when nothing came for N minutes, at the last observation plus N, once a tick has passed it', () => {
    const state = newDeviceState('dev-1', m(0));
    const options = { lateMinutes: 2 };
    assert.deepEqual(
      observe(
        [silent],
        state,
        series('pm25', [
          [0, 1],
          [30, 1],
        ]),
        options,
      ).transitions,
      [],
    );
    assert.deepEqual(tick([silent], state, m(91), options).transitions, []);
    const raised = tick([silent], state, m(95), options).transitions;
    assert.deepEqual(brief(raised), ['raise@90']);
    assert.ok(raised[0]!.kind === 'raise');
    assert.deepEqual(raised[0]!.values, [{ label: 'absent(*, 60min)', value: 60 }]);
    const cleared = observe([silent], state, series('pm10', [[120, 1]]), options).transitions;
    assert.deepEqual(cleared, []);
    assert.deepEqual(brief(tick([silent], state, m(123), options).transitions), ['clear@120']);
  });

  it('counts from `since` when the device never sent anything', () => {
    assert.deepEqual(brief(run([silent], [], {}, { since: m(10) }).transitions), ['raise@70']);
  });

  it('of one property: the others do not keep it quiet', () => {
    const r = rule({ kind: 'absent', property: 'pm25', minutes: 30 });
    const obs = [
      ...series('pm25', [[0, 1]]),
      ...series('pm10', [
        [10, 1],
        [20, 1],
        [40, 1],
      ]),
      ...series('pm25', [[50, 1]]),
    ];
    assert.deepEqual(brief(run([r], obs).transitions), ['raise@30', 'clear@50', 'raise@80']);
  });

  it('combines with values: a silent pump while the level is high', () => {
    const r = rule({
      kind: 'and',
      conditions: [above('level', 3), { kind: 'absent', property: 'pump', minutes: 20 }],
    });
    const obs = [
      ...series('level', [
        [0, 2],
        [10, 4],
        [40, 4],
      ]),
      ...series('pump', [
        [0, 1],
        [15, 1],
      ]),
    ];
    // Absence of pump starts at 35 (15 + 20), when the level is 4.
    assert.deepEqual(brief(run([r], obs).transitions), ['raise@35']);
  });
});

describe('arrival order', () => {
  const rules: PerceptionRule[] = [
    { ...rule(above('aqi', 200, 180), { forMinutes: 30, clearMinutes: 10 }), code: 'high' },
    {
      ...rule({
        kind: 'aggregate',
        property: 'pm25',
        aggregate: 'mean',
        windowMinutes: 30,
        operator: '>=',
        threshold: 70,
      }),
      code: 'mean',
    },
    {
      ...rule({
        kind: 'rate',
        property: 'pm25',
        windowMinutes: 20,
        per: 'minute',
        operator: '>',
        threshold: 2,
      }),
      code: 'rate',
    },
    { ...rule({ kind: 'absent', property: 'aqi', minutes: 25 }), code: 'silent' },
    {
      ...rule({ kind: 'or', conditions: [above('pm25', 90), { kind: 'not', condition: above('aqi', 50) }] }),
      code: 'either',
    },
  ];
  // Five hours of waves with seeded noise, a sample every 1–4 minutes, and aqi silent 120–160.
  const data: RuleObservation[] = (() => {
    const random = prng(19);
    const out: RuleObservation[] = [];
    for (let minute = 0; minute < 300; minute += 1 + Math.floor(random() * 4)) {
      const aqi = 150 + 100 * Math.sin(minute / 40) + (random() - 0.5) * 40;
      const pm25 = 60 + 40 * Math.sin(minute / 25) + (random() - 0.5) * 12;
      if (!(minute > 120 && minute < 160))
        out.push({ property: 'aqi', at: m(minute), value: Math.round(aqi), id: out.length });
      out.push({ property: 'pm25', at: m(minute), value: Math.round(pm25), id: out.length });
    }
    return out;
  })();
  const options = { lateMinutes: 10 };
  const inOrder = run(rules, data, options, { batch: 1 }).transitions;
  const raisesAndClears = (ts: readonly AlertTransition[]) => ts.filter((t) => t.kind !== 'repeat');
  const finalRepeats = (ts: readonly AlertTransition[]) =>
    ts.flatMap((t) => (t.kind === 'clear' ? [`${t.rule}@${t.at}:${t.repeats}`] : []));

  it('the series exercises every rule', () => {
    for (const r of rules)
      assert.ok(
        inOrder.some((t) => t.rule === r.code && t.kind === 'raise'),
        `${r.code} raises`,
      );
    assert.ok(inOrder.some((t) => t.kind === 'clear'));
  });

  it('shuffled within the allowed lateness, in batches of any size, gives the same transitions', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const random = prng(seed);
      // Each observation arrives at its time plus a delay below the lateness: any order within it.
      const arrival = data
        .map((o) => ({ o, key: o.at + random() * options.lateMinutes * MINUTE * 0.999 }))
        .sort((a, b) => a.key - b.key)
        .map((x) => x.o);
      assert.notDeepEqual(arrival, data);
      const shuffled = run(rules, arrival, options, { batch: 1 + (seed % 4) * 7 }).transitions;
      assert.deepEqual(raisesAndClears(shuffled), raisesAndClears(inOrder), `seed ${seed}`);
      assert.deepEqual(finalRepeats(shuffled), finalRepeats(inOrder), `seed ${seed}`);
    }
  });

  it('state round-trips through JSON mid-series with the same result', () => {
    const random = prng(7);
    let state = newDeviceState('dev-1', m(0));
    const transitions: AlertTransition[] = [];
    for (let i = 0; i < data.length; i += 10) {
      transitions.push(...observe(rules, state, data.slice(i, i + 10), options).transitions);
      if (random() < 0.5) {
        transitions.push(
          ...tick(rules, state, data[Math.min(i + 9, data.length - 1)]!.at, options).transitions,
        );
        state = JSON.parse(JSON.stringify(state)) as DeviceState;
      }
    }
    transitions.push(...tick(rules, state, m(100_000), options).transitions);
    assert.deepEqual(raisesAndClears(transitions), raisesAndClears(inOrder));
    assert.deepEqual(finalRepeats(transitions), finalRepeats(inOrder));
  });

  it('ignores and counts an observation later than the allowed lateness', () => {
    const state = newDeviceState('dev-1', m(0));
    const r = rule(above('aqi', 200));
    observe(
      [r],
      state,
      series('aqi', [
        [0, 100],
        [30, 100],
      ]),
      options,
    );
    const late = observe(
      [r],
      state,
      series('aqi', [
        [15, 300],
        [25, 300],
      ]),
      options,
    );
    assert.equal(late.late, 1);
    assert.equal(state.late, 1);
    assert.deepEqual(brief([...late.transitions, ...tick([r], state, m(100), options).transitions]), [
      'raise@25',
      'clear@30',
    ]);
  });

  it('keeps a bounded buffer: what the rules can still read', () => {
    const { state } = run(rules, data, options);
    assert.deepEqual(Object.keys(state.series).sort(), ['aqi', 'pm25']);
    // pm25 is read over 30 minutes, aqi only as a latest value (and by a 25-minute absence).
    assert.ok(state.series.pm25!.length <= 31, `${state.series.pm25!.length} pm25 samples`);
    assert.ok(state.series.aqi!.length <= 26, `${state.series.aqi!.length} aqi samples`);
    const capped = run(rules, data, { ...options, maxSamplesPerProperty: 5 }).state;
    assert.ok(capped.dropped > 0 && capped.series.pm25!.length <= 5);
  });
});

describe('rules by code and version', () => {
  it("a new version starts over and clears the old version's open alert; a removed rule clears too", () => {
    const v1 = rule(above('aqi', 200));
    const state = newDeviceState('dev-1', m(0));
    const options = { lateMinutes: 0 };
    assert.deepEqual(brief(observe([v1], state, series('aqi', [[0, 250]]), options).transitions), [
      'raise@0',
    ]);
    const v2 = { ...v1, version: 2 };
    const changed = observe([v2], state, series('aqi', [[10, 250]]), options).transitions;
    assert.deepEqual(
      changed.map((t) => [t.kind, t.version, (t.at - T0) / MINUTE, t.kind === 'clear' ? t.reason : '']),
      [
        ['clear', 1, 0, 'rule-changed'],
        ['raise', 2, 10, ''],
      ],
    );
    const removed = tick([], state, m(20), options).transitions;
    assert.deepEqual(
      removed.map((t) => (t.kind === 'clear' ? t.reason : t.kind)),
      ['rule-removed'],
    );
    assert.deepEqual(state.rules, {});
  });

  it('refuses two rules of one code, and what is not an observation, before changing the state', () => {
    const state = newDeviceState('dev-1', m(0));
    const r = rule(above('aqi', 200));
    assert.throws(() => tick([r, r], state, m(10)), /two rules share a code/);
    assert.throws(
      () =>
        observe([r], state, [...series('aqi', [[0, 250]]), { property: 'aqi', at: m(1), value: Number.NaN }]),
      /not an observation/,
    );
    assert.deepEqual(state, newDeviceState('dev-1', m(0)));
  });

  it('takes a plate declaration in the threshold form as a value condition with defaults', () => {
    const r = ruleFromDeclaration(
      {
        code: 'env-aqi-heavy',
        name: { 'zh-CN': '空气重度污染持续1小时', en: 'Heavy air pollution for an hour' },
        sensorType: 'air-quality-station',
        property: 'aqi',
        operator: '>',
        threshold: 200,
        clearThreshold: 150,
        forMinutes: 60,
        severity: 'severe',
      },
      3,
    );
    assert.deepEqual(r, {
      code: 'env-aqi-heavy',
      version: 3,
      sensorType: 'air-quality-station',
      condition: { kind: 'value', property: 'aqi', operator: '>', threshold: 200, clearThreshold: 150 },
      forMinutes: 60,
      clearMinutes: 0,
      maxGapMinutes: 60,
      severity: 'severe',
    });
  });
});

describe("the shipped plates' rules", () => {
  it('each raises after its forMinutes of holding values and clears on the first that does not', async () => {
    const registry = await loadModules(path.resolve(import.meta.dirname, '../../../modules'), 'all');
    const declared = registry.modules.flatMap((mod) => mod.rules ?? []);
    assert.ok(declared.length >= 10, `${declared.length} rules`);
    for (const declaration of declared) {
      const r = ruleFromDeclaration(declaration);
      // A composed condition (the silent noise monitor's absence) is tested end to end.
      if (r.condition.kind !== 'value') continue;
      const { operator, threshold, property } = r.condition;
      const holding =
        operator === '<' || operator === '<='
          ? threshold - 1
          : operator === '!='
            ? threshold + 1
            : threshold + (operator === '==' ? 0 : 1);
      const clearing =
        operator === '<' || operator === '<=' ? threshold + 1 : operator === '!=' ? threshold : threshold - 1;
      const points: [number, number][] = [];
      for (let minute = 0; minute <= r.forMinutes; minute += 5) points.push([minute, holding]);
      points.push([r.forMinutes + 5, clearing]);
      const { transitions } = run([r], series(property, points));
      assert.deepEqual(brief(transitions), [`raise@${r.forMinutes}`, `clear@${r.forMinutes + 5}`], r.code);
    }
  });
});

describe('the worked examples of docs/perception.md', () => {
  /** A time of the day of T0, as `hh:mm`. */
  const hm = (time: string) => {
    const [h, mm] = time.split(':').map(Number);
    return m(h! * 60 + mm!);
  };
  const clock = (t: number) => new Date(t).toISOString().slice(11, 16);
  const show = (ts: readonly AlertTransition[]) => ts.map((t) => `${t.kind}@${clock(t.at)}`);

  it('1. held for an hour, broken once, out of order', () => {
    const r = ruleFromDeclaration({
      code: 'env-aqi-heavy',
      name: { 'zh-CN': '空气重度污染持续1小时', en: 'Heavy air pollution for an hour' },
      sensorType: 'air-quality-station',
      property: 'aqi',
      operator: '>',
      threshold: 200,
      forMinutes: 60,
      severity: 'severe',
    });
    const options = { lateMinutes: 15 };
    const values = [230, 240, 250, 190, 220, 230, 225, 235, 230, 240, 260];
    const obs = values.map((value, i) => ({ property: 'aqi', at: hm('08:00') + i * 10 * MINUTE, value }));
    const state = newDeviceState('aq-001', hm('08:00'));
    const early = observe([r], state, obs.slice(0, 9), options);
    // 09:40 before 09:30.
    const swapped = observe([r], state, [obs[10]!, obs[9]!], options);
    assert.deepEqual([...early.transitions, ...swapped.transitions], []);
    assert.equal(swapped.late, 0);
    assert.deepEqual(tick([r], state, hm('09:54'), options).transitions, []);
    const raised = tick([r], state, hm('09:55'), options).transitions;
    assert.deepEqual(show(raised), ['raise@09:40']);
    assert.ok(raised[0]!.kind === 'raise' && clock(raised[0]!.since) === '08:40');

    // 09:30 after a tick at 09:46: late, ignored, same answer.
    const other = newDeviceState('aq-001', hm('08:00'));
    observe([r], other, [...obs.slice(0, 9), obs[10]!], options);
    tick([r], other, hm('09:46'), options);
    assert.equal(observe([r], other, [obs[9]!], options).late, 1);
    assert.deepEqual(show(tick([r], other, hm('09:55'), options).transitions), ['raise@09:40']);
  });

  it('2. hysteresis and clear time', () => {
    const r = rule(
      { kind: 'value', property: 'so2', operator: '>', threshold: 800, clearThreshold: 700 },
      { clearMinutes: 10 },
    );
    const values = [820, 790, 690, 710, 650, 640, 600];
    const obs = values.map((value, i) => ({ property: 'so2', at: hm('10:00') + i * 5 * MINUTE, value }));
    const { transitions } = run([r], obs);
    assert.deepEqual(show(transitions), ['raise@10:00', 'repeat@10:15', 'clear@10:30']);
    const clear = transitions[2]!;
    assert.ok(clear.kind === 'clear' && clear.repeats === 2);
  });

  it('3. a silent station', () => {
    const r = rule({ kind: 'absent', minutes: 30 });
    const options = { lateMinutes: 2 };
    const state = newDeviceState('aq-001', hm('14:00'));
    observe([r], state, [{ property: 'pm25', at: hm('14:07'), value: 12 }], options);
    const answers: string[] = [];
    for (let t = hm('14:08'); t <= hm('14:55'); t += MINUTE) {
      if (t === hm('14:52'))
        answers.push(
          ...show(observe([r], state, [{ property: 'pm25', at: t, value: 13 }], options).transitions),
        );
      answers.push(...show(tick([r], state, t, options).transitions).map((a) => `${a} (tick ${clock(t)})`));
    }
    assert.deepEqual(answers, ['raise@14:37 (tick 14:39)', 'clear@14:52 (tick 14:54)']);
  });
});
