import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyAuditChain } from '../audit/index.ts';
import { CASES } from '../cases/index.ts';
import { simulateCity } from './simulator.ts';
import { patience } from '../../test/support/processes.ts';
import { caseFixture } from '../cases/testing.ts';

async function run(seed: number) {
  const fx = await caseFixture('pglite');
  try {
    fx.t.clock.set('2026-03-01T16:00:00Z'); // Monday 2026-03-02 00:00 in the city
    const summary = await simulateCity(fx.t.services(CASES).engine, fx.t.kernel, fx.t.clock, {
      days: 1,
      seed,
      reportsPerDay: 40,
    });
    const chain = (await verifyAuditChain(fx.t.kernel.db)) as { ok: boolean };
    return { summary, chainOk: chain.ok };
  } finally {
    await fx.dispose();
  }
}

describe('simulator', () => {
  it('plays a day of the city; the same seed gives the same summary', {
    timeout: patience(600_000),
  }, async () => {
    const a = await run(11);
    const b = await run(11);
    assert.deepEqual(a.summary, b.summary);
    assert.ok(a.chainOk, 'the audit chain holds');
    const s = a.summary;
    assert.ok(s.reported >= 25 && s.reported <= 60, `about 40 reports (${s.reported})`);
    assert.ok(Object.keys(s.byDistrict).length >= 2, 'reports spread over districts');
    assert.ok(Object.keys(s.byCategory).length >= 10, 'and over categories');
    assert.ok((s.byState.closed ?? 0) + (s.byState.evaluated ?? 0) > 0, 'some cases close within the day');
    assert.ok(s.supervisionNotices > 0, 'some go overdue and are supervised');
    assert.ok(s.refused <= s.reported / 5, `few planned actions refused (${s.refused})`);
    const c = await run(12);
    assert.notDeepEqual(c.summary, a.summary, 'another seed, another day');
  });
});
