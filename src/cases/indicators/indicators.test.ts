/**
 * The indicator fixture: ten cases taken through the real actions at chosen instants
 * (ManualClock), and every indicator of docs/indicators.md asserted against its value computed
 * by hand below. Times are local (Asia/Shanghai); the working calendar is 08:30–12:00,
 * 13:30–17:30 on weekdays. All cases are emergencies (calendar limits: file 10 min,
 * dispatch 10, accept 15, handle 2 h) so their deadlines fall inside P = [03-02, 03-04).
 *
 * | case | story (local times, Monday 2026-03-02 unless noted) | handle deadline |
 * | A | app 09:00, file 09:05, dispatch 09:10, accept 09:20, handle 10:20, verify pass 10:30, satisfied | 11:20 |
 * | B | app 09:30, file 09:50 (late), dispatch 09:55, accept 10:00, handle 13:40, pass 13:50, basically satisfied | 12:00 |
 * | C | app 10:00, file 10:05, dispatch 10:10, return 10:15, dispatch 10:20, accept 10:30, extension +60 asked 10:40 and approved 10:45, handle 11:00, verify fail 11:10, handle 11:30, pass 11:40, unsatisfied | 13:10 (rework round) |
 * | D | app 10:30, file 10:35, dispatch 10:40, accept 10:50, defer 11:00 | 12:50 |
 * | E | app 11:00, file 11:05, dispatch 11:10, accept 11:20 (left open) | 13:20 |
 * | F | grid patrol 11:30, file 11:35, dispatch 11:40, accept 11:45, handle 13:35, pass 13:40 | 13:45 |
 * | G | app 11:50, reject 11:55 | — |
 * | J | app 14:00 in another district, file 14:05 | — |
 * | I | app Tue 16:00, file 16:05, dispatch 16:10, accept Tue 23:00 | Wed 01:00 (outside P) |
 * | H | app Wed 03-04 09:00, file 09:05 (outside P) | — |
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import { ORG, type OrgServices } from '../../org/index.ts';
import { type CaseFixture, caseFixture } from '../testing.ts';

const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

type Step = [time: string, label: string, who: string, action: string, params?: Record<string, unknown>];

const close = (actual: number | null, expected: number | null, what: string) => {
  if (expected === null) return assert.equal(actual, null, what);
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
};

function otherDistrictPoint(locate: OrgServices['locate'], notDistrict: string) {
  for (let lat = 30.0; lat < 30.6; lat += 0.0137)
    for (let lon = 119.8; lon < 120.6; lon += 0.0113) {
      const chain = locate(lat, lon);
      if (chain?.grid && chain.district && chain.district.code !== notDistrict)
        return { lat, lon, district: chain.district.code };
    }
  throw new Error('no second district');
}

for (const backend of testBackends()) {
  describe(`indicators: hand-computed fixture (${backend})`, () => {
    let fx: CaseFixture;
    let otherDistrict: string;
    const ids: Record<string, string> = {};

    before(async () => {
      fx = await caseFixture(backend);
      const j = otherDistrictPoint(fx.t.services(ORG).locate, fx.district);
      otherDistrict = j.district;
      const app = { channel: 'app', urgency: 'emergency' };
      const steps: Step[] = [
        ['2026-03-02 09:00', 'A', 'citizen', 'report', app],
        ['2026-03-02 09:05', 'A', 'sup', 'file'],
        ['2026-03-02 09:10', 'A', 'disp', 'dispatch'],
        ['2026-03-02 09:20', 'A', 'handler', 'accept'],
        ['2026-03-02 10:20', 'A', 'handler', 'handle', { evidence: ['a.jpg'] }],
        ['2026-03-02 10:30', 'A', 'sup', 'verify', { result: 'pass' }],
        ['2026-03-02 10:40', 'A', 'citizen', 'evaluate', { satisfaction: 'satisfied' }],
        ['2026-03-02 09:30', 'B', 'citizen', 'report', app],
        ['2026-03-02 09:50', 'B', 'sup', 'file'],
        ['2026-03-02 09:55', 'B', 'disp', 'dispatch'],
        ['2026-03-02 10:00', 'B', 'handler', 'accept'],
        ['2026-03-02 13:40', 'B', 'handler', 'handle', { evidence: ['b.jpg'] }],
        ['2026-03-02 13:50', 'B', 'sup', 'verify', { result: 'pass' }],
        ['2026-03-02 14:00', 'B', 'citizen', 'evaluate', { satisfaction: 'basically_satisfied' }],
        ['2026-03-02 10:00', 'C', 'citizen', 'report', app],
        ['2026-03-02 10:05', 'C', 'sup', 'file'],
        ['2026-03-02 10:10', 'C', 'disp', 'dispatch'],
        ['2026-03-02 10:15', 'C', 'handler', 'return', { reason: 'checking ownership' }],
        ['2026-03-02 10:20', 'C', 'disp', 'dispatch'],
        ['2026-03-02 10:30', 'C', 'handler', 'accept'],
        ['2026-03-02 10:40', 'C', 'handler', 'request-extension', { minutes: 60, reason: 'crane' }],
        ['2026-03-02 10:45', 'C', 'disp', 'decide-extension', { approve: true }],
        ['2026-03-02 11:00', 'C', 'handler', 'handle', { evidence: ['c1.jpg'] }],
        ['2026-03-02 11:10', 'C', 'sup', 'verify', { result: 'fail', note: 'still there' }],
        ['2026-03-02 11:30', 'C', 'handler', 'handle', { evidence: ['c2.jpg'] }],
        ['2026-03-02 11:40', 'C', 'sup', 'verify', { result: 'pass' }],
        ['2026-03-02 11:50', 'C', 'citizen', 'evaluate', { satisfaction: 'unsatisfied' }],
        ['2026-03-02 10:30', 'D', 'citizen', 'report', app],
        ['2026-03-02 10:35', 'D', 'sup', 'file'],
        ['2026-03-02 10:40', 'D', 'disp', 'dispatch'],
        ['2026-03-02 10:50', 'D', 'handler', 'accept'],
        ['2026-03-02 11:00', 'D', 'disp', 'defer', { reason: 'road works first' }],
        ['2026-03-02 11:00', 'E', 'citizen', 'report', app],
        ['2026-03-02 11:05', 'E', 'sup', 'file'],
        ['2026-03-02 11:10', 'E', 'disp', 'dispatch'],
        ['2026-03-02 11:20', 'E', 'handler', 'accept'],
        ['2026-03-02 11:30', 'F', 'grid', 'report', { channel: 'grid_patrol', urgency: 'emergency' }],
        ['2026-03-02 11:35', 'F', 'sup', 'file'],
        ['2026-03-02 11:40', 'F', 'disp', 'dispatch'],
        ['2026-03-02 11:45', 'F', 'handler', 'accept'],
        ['2026-03-02 13:35', 'F', 'handler', 'handle', { evidence: ['f.jpg'] }],
        ['2026-03-02 13:40', 'F', 'sup', 'verify', { result: 'pass' }],
        ['2026-03-02 11:50', 'G', 'citizen', 'report', app],
        ['2026-03-02 11:55', 'G', 'sup', 'reject', { reason: 'private matter' }],
        ['2026-03-02 14:00', 'J', 'citizen', 'report', { ...app, location: { lat: j.lat, lon: j.lon } }],
        ['2026-03-02 14:05', 'J', 'sup', 'file'],
        ['2026-03-03 16:00', 'I', 'citizen', 'report', app],
        ['2026-03-03 16:05', 'I', 'sup', 'file'],
        ['2026-03-03 16:10', 'I', 'disp', 'dispatch'],
        ['2026-03-03 23:00', 'I', 'handler', 'accept'],
        ['2026-03-04 09:00', 'H', 'citizen', 'report', app],
        ['2026-03-04 09:05', 'H', 'sup', 'file'],
      ];
      steps.sort((a, b) => at(a[0]).getTime() - at(b[0]).getTime());
      let day = '';
      for (const [time, label, who, action, params] of steps) {
        fx.t.clock.set(at(time));
        if (time.slice(0, 10) !== day) {
          day = time.slice(0, 10);
          await fx.relogin();
        }
        if (action === 'report') {
          const r = await fx.report(who, params);
          assert.equal(r.statusCode, 201, `${label} report: ${r.body}`);
          ids[label] = r.json().id;
          continue;
        }
        const r = await fx.act(who, ids[label], action, params);
        assert.equal(r.statusCode, 200, `${label} ${action}: ${r.body}`);
      }
      await fx.relogin();
    });
    after(() => fx.dispose());

    const get = async (who: string, query: string) => {
      const r = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/indicators?${query}`,
        headers: fx.as[who],
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const P = 'from=2026-03-02&to=2026-03-04';

    it('city-wide: every indicator equals its hand-computed value', async () => {
      const r = await get('sup', P);
      assert.equal(r.period.from, '2026-03-01T16:00:00.000Z');
      assert.equal(r.period.to, '2026-03-03T16:00:00.000Z');
      assert.deepEqual(r.counts, {
        due: 6, // A B C D E F (I's deadline is Wednesday 01:00)
        deferred: 1, // D
        closedAmongDue: 4, // A B C F
        closedOnTimeAmongDue: 3, // A C F (B closed 13:50 > 12:00)
        handledCases: 4, // A B C F
        reworkedCases: 1, // C
        dispatchedCases: 7, // A B C D E F I
        extendedCases: 1, // C
        dispatches: 8, // C twice
        returns: 1,
        received: 8, // app: A B C D E G I J (F is grid patrol, H after P)
        respondedInTime: 7, // all but B (filed 20 min after a 10 min limit)
        resolved: 3, // A B C
        rated: 3,
        satisfied: 2, // A satisfied, B basically satisfied
      });
      const v = r.indicators;
      close(v.closureRate, 4 / 5, 'closure rate');
      close(v.onTimeClosureRate, 3 / 5, 'on-time closure rate');
      close(v.reworkRate, 1 / 4, 'rework rate');
      close(v.extensionRate, 1 / 7, 'extension rate');
      close(v.returnRate, 1 / 8, 'return rate');
      close(v.accurateDispatchRate, 7 / 8, 'accurate-dispatch rate');
      close(v.responseRate, 7 / 8, 'response rate');
      close(v.resolutionRate, 3 / 8, 'resolution rate');
      close(v.satisfactionRate, 2 / 3, 'satisfaction rate');
      close(v.compositeScore, 30 * (7 / 8) + 35 * (3 / 8) + 35 * (2 / 3), 'composite score');
      const t = r.averageWorkingMinutes;
      close(t.toFile, (5 + 20 + 5 + 5 + 5 + 5 + 5 + 5) / 8, 'time to file'); // A B C D E F J I
      close(t.toDispatch, 5, 'time to dispatch');
      close(t.toAccept, (10 + 5 + 10 + 10 + 10 + 5 + 80) / 7, 'time to accept'); // I: 16:10–17:30
      close(t.toHandle, (60 + 130 + 30 + 20) / 4, 'time to handle'); // B and F span lunch
      close(t.toClose, (90 + 170 + 100 + 40) / 4, 'time to close');
      assert.deepEqual(r.weights, { response: 30, resolution: 35, satisfaction: 35 });
    });

    it('a street user sees only their street; another district is out of their reach', async () => {
      const r = await get('street', P);
      assert.equal(r.counts.received, 7, 'J lies in another district');
      close(r.indicators.responseRate, 6 / 7, 'response rate');
      close(r.indicators.compositeScore, 30 * (6 / 7) + 35 * (3 / 7) + 35 * (2 / 3), 'composite');
      close(r.averageWorkingMinutes.toFile, 50 / 7, 'time to file');
      const out = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/indicators?${P}&division=${otherDistrict}`,
        headers: fx.as.street,
      });
      assert.equal(out.statusCode, 404);
      const citizen = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/indicators?${P}`,
        headers: fx.as.citizen,
      });
      assert.equal(citizen.statusCode, 403);
    });

    it('scope filters combine: division, department, category, channel; empty scopes give null, not 0', async () => {
      let r = await get('sup', `${P}&division=${otherDistrict}`);
      assert.equal(r.counts.received, 1);
      assert.equal(r.counts.due, 0);
      assert.equal(r.indicators.closureRate, null);
      assert.equal(r.indicators.returnRate, null);
      assert.equal(r.indicators.accurateDispatchRate, null);
      assert.equal(r.indicators.satisfactionRate, null);
      assert.equal(r.indicators.compositeScore, null);
      // Events and milestones are scoped by the place they carry from their case.
      assert.equal(r.counts.dispatches, 0, 'J was never dispatched');
      close(r.averageWorkingMinutes.toFile, 5, 'J filed in 5 minutes');
      assert.equal(r.averageWorkingMinutes.toHandle, null);
      r = await get('sup', `${P}&department=${fx.lead}`);
      assert.equal(r.counts.dispatches, 8);
      assert.equal(r.counts.returns, 1);
      assert.equal(r.counts.received, 6, 'G (rejected) and J (not dispatched) have no department');
      r = await get('sup', `${P}&channel=grid_patrol&division=${fx.street}`);
      assert.equal(r.counts.due, 1);
      close(r.indicators.closureRate, 1, 'F closed');
      assert.equal(r.counts.received, 0, 'grid patrol is not a citizen channel');
      assert.equal(r.indicators.responseRate, null);
      assert.equal(r.counts.dispatches, 1, 'F');
      assert.equal(r.counts.handledCases, 1, 'F');
      close(r.averageWorkingMinutes.toHandle, 20, 'F spans lunch');
      r = await get('sup', `${P}&category=CM.E.01`);
      assert.equal(r.counts.received, 8, 'a major class includes its minor classes');
      assert.deepEqual(
        [r.counts.dispatches, r.counts.handledCases, r.counts.reworkedCases, r.counts.extendedCases],
        [8, 4, 1, 1],
      );
      r = await get('sup', `${P}&category=CM.X`);
      assert.equal(r.counts.due + r.counts.received + r.counts.dispatches, 0);
      r = await get('sup', `${P}&weights=1,0,0`);
      close(r.indicators.compositeScore, 100 * (7 / 8), 'composite with weights 1,0,0');
      r = await get('sup', 'from=2026-03-04&to=2026-03-05');
      assert.equal(r.counts.received, 1, 'H');
      close(r.averageWorkingMinutes.toFile, 5, 'H filed in 5 minutes');
    });

    it('rankings by district and by department', async () => {
      const r = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/indicators/rankings?${P}&by=district&metric=closureRate`,
        headers: fx.as.sup,
      });
      assert.equal(r.statusCode, 200, r.body);
      const items = r.json().items;
      assert.deepEqual(
        items.map((i: { key: string; rank: number }) => [i.rank, i.key]),
        [
          [1, fx.district],
          [2, otherDistrict],
        ],
      );
      close(items[0].indicators.closureRate, 4 / 5, 'first district');
      assert.equal(items[1].indicators.closureRate, null);
      assert.deepEqual(
        items.map((i: { counts: { dispatches: number; reworkedCases: number } }) => [
          i.counts.dispatches,
          i.counts.reworkedCases,
        ]),
        [
          [8, 1],
          [0, 0],
        ],
      );
      close(items[1].averageWorkingMinutes.toFile, 5, 'J');
      const byDept = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/indicators/rankings?${P}&by=department`,
        headers: fx.as.sup,
      });
      const d = byDept.json().items;
      assert.equal(d.length, 1);
      assert.equal(d[0].key, fx.lead);
      assert.equal(d[0].counts.returns, 1);
      // Milestones by the case's current lead department (carried on the milestone).
      close(d[0].averageWorkingMinutes.toHandle, (60 + 130 + 30 + 20) / 4, 'time to handle');
    });
  });
}
