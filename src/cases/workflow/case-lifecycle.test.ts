import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import { verifyAuditChain } from '../../audit/index.ts';
import { type CaseEvent, caseEvents } from '../rules/case-events.ts';
import { type CaseFixture, caseFixture, present, TO_IN_PROGRESS } from '../testing.ts';

const MIN = 60_000;

for (const backend of testBackends()) {
  describe(`case lifecycle (${backend})`, () => {
    let fx: CaseFixture;
    const events: CaseEvent[] = [];
    before(async () => {
      fx = await caseFixture(backend);
      caseEvents.subscribe(fx.t.kernel.bus, 'case.*', (e) => {
        events.push(e);
      });
    });
    after(() => fx.dispose());

    const history = async (id: string) => {
      const res = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/cases/${id}/history`,
        headers: fx.as.sup,
      });
      assert.equal(res.statusCode, 200);
      return res.json().entries as Array<{
        action: string;
        fromState: string;
        toState: string;
        actor: string;
      }>;
    };
    const notifications = async (id: string) => {
      const res = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/cases/${id}/notifications`,
        headers: fx.as.sup,
      });
      return res.json() as Array<{ kind: string; recipient: Record<string, string | null> }>;
    };
    /** The pending timers of a case's stage. */
    const pendingTimers = (id: string, stage: string) =>
      fx.t.kernel.db
        .selectFrom('kernel_job')
        .select(['key', 'run_at', 'max_attempts'])
        .where('status', '=', 'pending')
        .where('key', 'like', `sla:${id}:${stage}:%`)
        .execute();
    /**
     * Moves the clock to a Wednesday 09:00 in the city after wherever earlier tests left it
     * (the accept stage's 60 working minutes then run within one morning), and logs in again.
     */
    const toNextWednesdayMorning = async () => {
      let wednesday = Date.parse('2026-03-04T01:00:00Z');
      while (wednesday <= fx.t.clock.now().getTime()) wednesday += 7 * 24 * 60 * MIN;
      fx.t.clock.set(wednesday);
      await fx.relogin();
    };

    it('happy path: report → file → dispatch → accept → handle → verify → evaluate', async () => {
      const res = await fx.report('citizen', { clientRequestId: 'app-req-1' });
      assert.equal(res.statusCode, 201, res.body);
      const c = res.json();
      assert.match(c.number, /^2026030200\d{3}$/);
      assert.equal(c.state, 'reported');
      assert.equal(c.version, 1);
      assert.equal(c.divisions.grid, fx.grid);
      assert.equal(c.divisions.district, fx.district);
      assert.equal(c.stage.stage, 'file');
      assert.equal(c.light, 'green');
      // The reporter sees their own data; a dispatcher (pii.read) too; a department handler only masked.
      assert.equal(c.reporters[0].phone, '13812341234');

      const again = await fx.report('citizen', { clientRequestId: 'app-req-1' });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().id, c.id);

      let r = await fx.act('sup', c.id, 'file', { version: 1 });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'filed');
      r = await fx.act('disp', c.id, 'dispatch');
      assert.equal(r.statusCode, 200, r.body);
      const dispatched = r.json();
      assert.equal(dispatched.state, 'dispatched');
      assert.equal(dispatched.leadDepartment, fx.lead);
      assert.ok(dispatched.responsibility.listVersion !== null);
      assert.equal(dispatched.responsibility.override, false);
      const masked = await fx.get('handler', c.id);
      assert.equal(masked.reporters?.[0].phone, '138****1234');
      assert.equal(masked.reporters?.[0].name, '张**');

      r = await fx.act('handler', c.id, 'accept');
      assert.equal(r.json().state, 'in_progress');
      r = await fx.act('handler', c.id, 'handle', { evidence: [] });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'case.evidence_required');
      r = await fx.act('handler', c.id, 'handle', { evidence: ['media/after-1.jpg'], note: 'cleared' });
      assert.equal(r.json().state, 'handled');
      r = await fx.act('grid', c.id, 'verify', { result: 'pass' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'closed');
      r = await fx.act('citizen2', c.id, 'evaluate', { satisfaction: 'satisfied' });
      assert.equal(r.statusCode, 404, 'another citizen cannot even see the case');
      r = await fx.act('citizen', c.id, 'evaluate', { satisfaction: 'satisfied' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'evaluated');
      assert.equal(r.json().satisfaction, 'satisfied');
      assert.equal(r.json().version, 7);

      const h = await history(c.number);
      assert.deepEqual(
        h.map((e) => e.action),
        ['report', 'file', 'dispatch', 'accept', 'handle', 'verify', 'evaluate'],
      );
      assert.deepEqual(
        h.map((e) => e.toState),
        ['reported', 'filed', 'dispatched', 'in_progress', 'handled', 'closed', 'evaluated'],
      );
      await fx.t.kernel.scheduler.runDue();
      const types: string[] = events.filter((e) => e.data.caseId === c.id).map((e) => e.type);
      for (const type of [
        'case.reported',
        'case.filed',
        'case.dispatched',
        'case.handled',
        'case.verified',
        'case.evaluated',
      ])
        assert.ok(types.includes(type), `${type} published`);
      const chain = await verifyAuditChain(fx.t.kernel.db);
      assert.equal((chain as { ok: boolean }).ok, true);
    });

    it('refuses a location outside the city and an unknown category', async () => {
      let r = await fx.report('citizen', { location: { lat: 10, lon: 10 } });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'case.location_outside_city');
      assert.match(r.headers['content-type'] as string, /application\/problem\+json/);
      r = await fx.report('citizen', { category: 'NOPE.1' });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'case.unknown_category');
    });

    it('reject needs a reason and ends the case', async () => {
      const c = (await fx.report('citizen')).json();
      let r = await fx.act('sup', c.id, 'reject', {});
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'case.reason_required');
      assert.equal((await fx.get('sup', c.id)).version, 1, 'nothing changed');
      r = await fx.act('sup', c.id, 'reject', { reason: 'not a public matter' });
      assert.equal(r.json().state, 'rejected');
      assert.equal(r.json().stage, null);
      r = await fx.act('disp', c.id, 'dispatch');
      assert.equal(r.statusCode, 409);
      assert.equal(r.json().code, 'case.transition_not_allowed');
    });

    it('return and re-dispatch with an audited override', async () => {
      const c = await fx.walk([
        ['sup', 'file'],
        ['disp', 'dispatch'],
      ]);
      let r = await fx.act('other', c.id, 'return', { reason: 'x' });
      assert.equal(r.statusCode, 404, 'a department the case was not sent to does not see it');
      r = await fx.act('handler', c.id, 'return', { reason: 'not ours: private land' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'filed');
      assert.equal(r.json().leadDepartment, null);
      r = await fx.act('disp', c.id, 'dispatch', { lead: fx.other });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'case.override_reason_required');
      r = await fx.act('disp', c.id, 'dispatch', {
        lead: fx.other,
        assist: [fx.lead],
        reason: 'land owner is theirs',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().leadDepartment, fx.other);
      assert.deepEqual(r.json().assistDepartments, [fx.lead]);
      assert.equal(r.json().responsibility.override, true);
      r = await fx.act('other', c.id, 'accept');
      assert.equal(r.json().state, 'in_progress');
      const h = await history(c.id);
      assert.deepEqual(
        h.map((e) => e.action),
        ['report', 'file', 'dispatch', 'return', 'dispatch', 'accept'],
      );
      const audit = await fx.t.kernel.db
        .selectFrom('audit_record')
        .selectAll()
        .where('object_id', '=', c.id)
        .where('action', '=', 'case.dispatched')
        .execute();
      assert.equal(audit.length, 2);
    });

    it('rework loop: verification fails, the department handles again, then it passes', async () => {
      const c = await fx.walk([
        ...TO_IN_PROGRESS,
        ['handler', 'handle', { evidence: ['a.jpg'] }],
        ['sup', 'verify', { result: 'fail', note: 'still there' }],
      ]);
      assert.equal(c.state, 'rework');
      assert.equal(c.stage?.stage, 'handle');
      assert.equal(c.stage?.round, 2);
      let r = await fx.act('handler', c.id, 'verify', { result: 'pass' });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().code, 'case.track_violation');
      r = await fx.act('handler', c.id, 'handle', { evidence: ['b.jpg'] });
      assert.equal(r.json().state, 'handled');
      r = await fx.act('sup', c.id, 'verify', { result: 'pass' });
      assert.equal(r.json().state, 'closed');
    });

    it('extension approved moves the handle deadline; refused leaves it', async () => {
      const c = await fx.walk(TO_IN_PROGRESS);
      const before = new Date(present(c.deadlines.handle, 'handle deadline')).getTime();
      // Extensions are whole minutes: a fraction is the caller's error, not the server's.
      let r = await fx.act('handler', c.id, 'request-extension', { minutes: 90.5, reason: 'needs a crane' });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().code, 'validation_failed');
      r = await fx.act('handler', c.id, 'request-extension', { minutes: 450, reason: 'needs a crane' });
      assert.equal(r.json().state, 'extension_pending');
      assert.deepEqual(r.json().extension, { status: 'pending', minutes: 450 });
      r = await fx.act('handler', c.id, 'decide-extension', { approve: true });
      assert.equal(r.statusCode, 403, 'a department never approves its own extension');
      r = await fx.act('disp', c.id, 'decide-extension', { approve: true });
      assert.equal(r.statusCode, 200, r.body);
      const approved = r.json();
      assert.equal(approved.state, 'in_progress');
      assert.equal(approved.extension.status, 'approved');
      const after = new Date(approved.deadlines.handle).getTime();
      // 450 working minutes = one working day later, same local time.
      assert.equal(after - before, 24 * 60 * MIN);

      const d = await fx.walk(TO_IN_PROGRESS);
      r = await fx.act('handler', d.id, 'request-extension', { minutes: 60, reason: 'rain' });
      r = await fx.act('disp', d.id, 'decide-extension', { approve: false, note: 'not needed' });
      assert.equal(r.json().state, 'in_progress');
      assert.equal(r.json().extension.status, 'refused');
      assert.equal(r.json().deadlines.handle, d.deadlines.handle);
    });

    it('deferral pauses the clock; resuming moves the deadline by the paused time', async () => {
      const c = await fx.walk(TO_IN_PROGRESS);
      let r = await fx.act('disp', c.id, 'defer', { reason: 'waiting for the dry season' });
      assert.equal(r.json().state, 'deferred');
      assert.equal(r.json().stage.paused, true);
      fx.t.clock.advance(7 * 24 * 60 * MIN);
      await fx.t.kernel.scheduler.runDue();
      await fx.relogin();
      assert.equal((await fx.get('sup', c.id)).light, 'green', 'no timer ran while deferred');
      r = await fx.act('disp', c.id, 'unpark');
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'in_progress');
      assert.equal(r.json().stage.paused, false);
      assert.equal(
        new Date(r.json().deadlines.handle).getTime() -
          new Date(present(c.deadlines.handle, 'deadline')).getTime(),
        7 * 24 * 60 * MIN,
      );
    });

    it('park and unpark', async () => {
      const c = await fx.walk([['sup', 'file']]);
      let r = await fx.act('disp', c.id, 'park', { reason: 'needs a budget decision' });
      assert.equal(r.json().state, 'parked');
      r = await fx.act('disp', c.id, 'dispatch');
      assert.equal(r.statusCode, 409);
      r = await fx.act('disp', c.id, 'unpark');
      assert.equal(r.json().state, 'filed');
      assert.equal(r.json().resumeState, null);
    });

    it('duplicates are offered and merging keeps every reporter', async () => {
      const first = (await fx.report('citizen')).json();
      const near = { lat: fx.point.lat + 0.0001, lon: fx.point.lon };
      const second = (
        await fx.report('citizen2', {
          location: near,
          reporter: { name: 'Li Si', phone: '13900001111', consent: true },
        })
      ).json();
      assert.ok(second.duplicateCandidates.some((d: { id: string }) => d.id === first.id));
      const r = await fx.act('sup', second.id, 'merge', { into: first.number });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'merged');
      assert.equal(r.json().links.mergedInto, first.id);
      const target = await fx.get('sup', first.id);
      assert.equal(target.reporters?.length, 2);
      assert.ok(target.reporters?.some((p) => p.sourceCaseId === second.id));
      assert.ok((await notifications(second.id)).some((n) => n.kind === 'merged'));
      // The second reporter still sees the merged report.
      assert.equal((await fx.get('citizen2', second.id)).state, 'merged');
    });

    it('whistle: summoned departments report in; a missed report-in is flagged; the street rates', async () => {
      const c = await fx.walk(TO_IN_PROGRESS);
      let r = await fx.act('street', c.id, 'whistle', {
        departments: [fx.lead, fx.other],
        note: 'joint action',
      });
      assert.equal(r.statusCode, 200, r.body);
      r = await fx.act('handler', c.id, 'report-in');
      assert.equal(r.statusCode, 200, r.body);
      r = await fx.act('handler', c.id, 'report-in');
      assert.equal(r.statusCode, 403, 'a department reports in once');
      fx.t.clock.advance(29 * MIN);
      await fx.t.kernel.scheduler.runDue();
      assert.equal((await fx.get('sup', c.id)).linkage?.filter((l) => l.missed).length, 0);
      fx.t.clock.advance(2 * MIN);
      await fx.t.kernel.scheduler.runDue();
      const linkage = present((await fx.get('sup', c.id)).linkage, 'linkage');
      assert.deepEqual(
        linkage.map((l) => [l.department, l.missed, l.reportedInAt !== null]).sort(),
        [
          [fx.lead, false, true],
          [fx.other, true, false],
        ].sort(),
      );
      assert.ok((await history(c.id)).some((e) => e.action === 'report-in-missed'));
      r = await fx.act('street', c.id, 'rate-linkage', { department: fx.lead, rating: 5 });
      assert.equal(r.statusCode, 200, r.body);
      r = await fx.act('street', c.id, 'rate-linkage', { department: 'fire-rescue', rating: 3 });
      assert.equal(r.statusCode, 400);
      const rated = (await fx.get('sup', c.id)).linkage?.find((l) => l.department === fx.lead);
      assert.equal(rated?.rating, 5);
    });

    it('overdue → yellow → red with a supervision notice → escalation, each exactly once', async () => {
      const c = await fx.walk([
        ['sup', 'file'],
        ['disp', 'dispatch'],
      ]);
      // accept: 60 working minutes from now (a Monday morning, maybe moved by earlier tests).
      const stage = present(c.stage, 'stage');
      const deadline = new Date(present(stage.deadline, 'accept deadline')).getTime();
      const start = new Date(stage.startedAt).getTime();
      assert.equal(stage.stage, 'accept');
      // One timer per running stage: yellow first; when it fires it schedules red.
      const timers = () => pendingTimers(c.id, 'accept');
      assert.deepEqual(
        (await timers()).map((j) => j.key),
        [`sla:${c.id}:accept:yellow`],
      );
      fx.t.clock.set(start + (deadline - start) * 0.85);
      await fx.t.kernel.scheduler.runDue();
      assert.equal((await fx.get('sup', c.id)).light, 'yellow');
      const afterYellow = await timers();
      assert.deepEqual(
        afterYellow.map((j) => j.key),
        [`sla:${c.id}:accept:red`],
      );
      assert.equal(new Date(afterYellow[0].run_at).getTime(), deadline);
      fx.t.clock.set(deadline + MIN);
      await fx.t.kernel.scheduler.runDue();
      await fx.relogin();
      const red = await fx.get('sup', c.id);
      assert.equal(red.light, 'red');
      assert.equal(red.escalationLevel, 'department');
      const notices = (await notifications(c.id)).filter((n) => n.kind === 'supervision_notice');
      assert.equal(notices.length, 1);
      assert.equal(notices[0].recipient.department, fx.lead);
      assert.equal(notices[0].recipient.role, 'department_leader');
      fx.t.clock.advance(61 * MIN);
      await fx.t.kernel.scheduler.runDue();
      assert.equal((await fx.get('sup', c.id)).escalationLevel, 'district_government');
      fx.t.clock.advance(24 * 60 * MIN);
      await fx.t.kernel.scheduler.runDue();
      await fx.relogin();
      const h = await history(c.id);
      assert.equal(h.filter((e) => e.action === 'supervise').length, 1);
      assert.equal(h.filter((e) => e.action === 'escalate').length, 1);
      assert.equal((await notifications(c.id)).filter((n) => n.kind === 'escalation').length, 1);
      // The dispatcher escalates once more by hand; then the top is reached.
      let r = await fx.act('disp', c.id, 'escalate', { reason: 'department unreachable' });
      assert.equal(r.json().escalationLevel, 'city_command_center');
      r = await fx.act('disp', c.id, 'escalate', { reason: 'again' });
      assert.equal(r.statusCode, 409);
      assert.equal(r.json().code, 'case.already_top_level');
      // Accepting ends the stage: no timer of it is left.
      r = await fx.act('handler', c.id, 'accept');
      assert.deepEqual(await pendingTimers(c.id, 'accept'), []);
    });

    it('a stage resumed past its yellow threshold has only its red timer, at the new deadline', async () => {
      await toNextWednesdayMorning();
      const c = await fx.walk([
        ['sup', 'file'],
        ['disp', 'dispatch'],
      ]);
      const timers = () => pendingTimers(c.id, 'accept');
      const stage = present(c.stage, 'stage');
      const start = new Date(stage.startedAt).getTime();
      const deadline = new Date(present(stage.deadline, 'accept deadline')).getTime();
      fx.t.clock.set(start + (deadline - start) * 0.85);
      let r = await fx.act('disp', c.id, 'park', { reason: 'waiting for the owner' });
      assert.equal(r.json().state, 'parked');
      assert.deepEqual(await timers(), [], 'a paused clock has no timer');
      fx.t.clock.advance(30 * MIN);
      r = await fx.act('disp', c.id, 'unpark');
      assert.equal(r.json().state, 'dispatched');
      const resumed = new Date(r.json().stage.deadline).getTime();
      assert.equal(resumed, deadline + 30 * MIN, 'the deadline moved by the paused time');
      const pending = await timers();
      assert.deepEqual(
        pending.map((j) => j.key),
        [`sla:${c.id}:accept:red`],
        '85 % consumed: the yellow threshold is behind, so the red timer is the one pending',
      );
      assert.equal(new Date(pending[0].run_at).getTime(), resumed);
      assert.equal(pending[0].max_attempts, 50, 'a threshold timer outlasts an outage');
      fx.t.clock.set(resumed + MIN);
      await fx.t.kernel.scheduler.runDue();
      await fx.relogin();
      assert.equal((await fx.get('sup', c.id)).light, 'red');
      const notices = (await notifications(c.id)).filter((n) => n.kind === 'supervision_notice');
      assert.equal(notices.length, 1);
    });

    it('a supervised stage paused and resumed while red still escalates, once', async () => {
      await toNextWednesdayMorning();
      const c = await fx.walk([
        ['sup', 'file'],
        ['disp', 'dispatch'],
      ]);
      fx.t.clock.set(new Date(present(c.stage?.deadline, 'accept deadline')).getTime() + MIN);
      await fx.t.kernel.scheduler.runDue(); // yellow, which schedules red
      await fx.t.kernel.scheduler.runDue(); // red: supervision, escalation in 60 minutes
      await fx.relogin();
      const supervised = (await notifications(c.id)).filter((n) => n.kind === 'supervision_notice');
      assert.equal(supervised.length, 1);
      // Parked for ten minutes (the pause cancels every timer of the stage), then resumed
      // while still red: the escalation is due at the same time after the notice as ever.
      let r = await fx.act('disp', c.id, 'park', { reason: 'waiting for the owner' });
      assert.equal(r.json().state, 'parked');
      fx.t.clock.advance(10 * MIN);
      r = await fx.act('disp', c.id, 'unpark');
      assert.equal(r.json().light, 'red');
      await fx.t.kernel.scheduler.runDue();
      assert.equal((await fx.get('sup', c.id)).escalationLevel, 'department', 'not yet');
      fx.t.clock.advance(51 * MIN);
      await fx.t.kernel.scheduler.runDue();
      await fx.relogin();
      assert.equal((await fx.get('sup', c.id)).escalationLevel, 'district_government');
      fx.t.clock.advance(24 * 60 * MIN);
      await fx.t.kernel.scheduler.runDue();
      await fx.relogin();
      const notes = await notifications(c.id);
      assert.equal(notes.filter((n) => n.kind === 'supervision_notice').length, 1, 'one supervision notice');
      assert.equal(notes.filter((n) => n.kind === 'escalation').length, 1, 'one escalation');
    });

    it('auto-dispatch right after filing for categories that ask for it', async () => {
      const c = await fx.walk([['sup', 'file']], { category: 'CM.E.05.01', description: 'Road collapsed' });
      assert.equal(c.state, 'dispatched');
      const h = await history(c.id);
      assert.deepEqual(h.map((e) => [e.action, e.actor]).slice(1), [
        ['file', h[1].actor],
        ['dispatch', 'system:auto-dispatch'],
      ]);
    });

    it('a stale version answers 409 and changes nothing', async () => {
      const c = (await fx.report('citizen')).json();
      await fx.act('sup', c.id, 'file', { version: 1 });
      const r = await fx.act('sup', c.id, 'reject', { version: 1, reason: 'late' });
      assert.equal(r.statusCode, 409);
      assert.equal(r.json().code, 'case.version_conflict');
      assert.equal((await fx.get('sup', c.id)).state, 'filed');
    });

    it('two dispatchers dispatch one case at once: exactly one wins', async () => {
      const c = await fx.walk([['sup', 'file']]);
      const [a, b] = await Promise.all([
        fx.act('disp', c.id, 'dispatch', { version: c.version }),
        fx.act('disp2', c.id, 'dispatch', { version: c.version }),
      ]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
      const loser = a.statusCode === 409 ? a : b;
      assert.equal(loser.json().code, 'case.version_conflict');
      assert.equal((await history(c.id)).filter((e) => e.action === 'dispatch').length, 1);
    });

    it('case numbers stay unique under 200 concurrent intakes', async () => {
      const results = await Promise.all(Array.from({ length: 200 }, () => fx.report('citizen')));
      assert.ok(results.every((r) => r.statusCode === 201));
      const numbers = new Set(results.map((r) => r.json().number));
      assert.equal(numbers.size, 200);
    });

    it('lists only what the caller may see, with filters and paging', async () => {
      const mine = await fx.t.app.inject({
        method: 'GET',
        url: '/api/v1/cases?limit=5',
        headers: fx.as.citizen2,
      });
      assert.equal(mine.statusCode, 200);
      assert.ok(mine.json().items.length >= 1);
      const others = await fx.t.app.inject({
        method: 'GET',
        url: '/api/v1/cases?state=in_progress',
        headers: fx.as.other,
      });
      for (const item of others.json().items) assert.equal(item.state, 'in_progress');
      const page = await fx.t.app.inject({
        method: 'GET',
        url: '/api/v1/cases?limit=10&offset=10',
        headers: fx.as.sup,
      });
      assert.equal(page.json().items.length, 10);
      assert.ok(page.json().total > 200);
      // By ids (what a live screen refreshes): those of them the caller may see.
      const wanted = page
        .json()
        .items.slice(0, 3)
        .map((c: { id: string }) => c.id);
      const byIds = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/cases?ids=${wanted.join(',')}`,
        headers: fx.as.sup,
      });
      assert.equal(byIds.statusCode, 200);
      assert.deepEqual(
        byIds
          .json()
          .items.map((c: { id: string }) => c.id)
          .sort(),
        [...wanted].sort(),
      );
      assert.equal(byIds.json().total, 3);
      const theirs = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/cases?ids=${wanted.join(',')}`,
        headers: fx.as.citizen2,
      });
      const allMine = await fx.t.app.inject({
        method: 'GET',
        url: '/api/v1/cases?limit=500',
        headers: fx.as.citizen2,
      });
      const mineIds = new Set(allMine.json().items.map((m: { id: string }) => m.id));
      for (const c of theirs.json().items)
        assert.ok(mineIds.has(c.id), 'a citizen gets only their own cases');
      const badIds = await fx.t.app.inject({
        method: 'GET',
        url: '/api/v1/cases?ids=1,2',
        headers: fx.as.sup,
      });
      assert.equal(badIds.statusCode, 400);
      const bad = await fx.t.app.inject({
        method: 'GET',
        url: '/api/v1/cases?state=nope',
        headers: fx.as.sup,
      });
      assert.equal(bad.statusCode, 400);
    });
  });
}
