/**
 * Evaluation reads every observation after a device's horizon, so the ones not yet final are
 * fed again at the next evaluation: feeding an observation the state already holds must
 * change nothing (docs/perception.md#exactly-once).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AlertTransition,
  newDeviceState,
  observe,
  type RuleObservation,
  ruleFromDeclaration,
  tick,
} from './index.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const rule = ruleFromDeclaration({
  code: 'r',
  name: { 'zh-CN': 'r', en: 'r' },
  sensorType: 's',
  property: 'x',
  operator: '>',
  threshold: 10,
  forMinutes: 10,
  severity: 'minor',
});
const obs = (minute: number, value: number): RuleObservation => ({
  property: 'x',
  at: T0 + minute * MINUTE,
  value,
});
const series = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((m) =>
  obs(m, m < 16 ? 20 : 5),
);

describe('feeding observations again', () => {
  it('gives the transitions of feeding each once', () => {
    const once = newDeviceState('d', T0);
    const expected: AlertTransition[] = [];
    for (const o of series) expected.push(...observe([rule], once, [o]).transitions);
    expected.push(...tick([rule], once, T0 + 40 * MINUTE).transitions);

    // Each evaluation reads everything after the horizon, including what it fed before.
    const again = newDeviceState('d', T0);
    const got: AlertTransition[] = [];
    for (let i = 0; i < series.length; i++) {
      const horizon = again.horizon ?? Number.NEGATIVE_INFINITY;
      const unread = series.slice(0, i + 1).filter((o) => o.at > horizon);
      assert.ok(i < 3 || unread.length > 1, 'the observations not yet final are fed again');
      got.push(...observe([rule], again, unread).transitions);
    }
    got.push(...tick([rule], again, T0 + 40 * MINUTE).transitions);
    assert.equal(got.filter((t) => t.kind === 'raise').length, 1);
    assert.equal(got.filter((t) => t.kind === 'clear').length, 1);
    assert.deepEqual(got, expected);
    assert.deepEqual(again.series, once.series);
    assert.equal(again.late, 0);
  });
});
