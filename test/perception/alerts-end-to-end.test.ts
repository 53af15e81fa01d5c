/**
 * Perception end to end, over HTTP ingestion with an injected clock, on the demo city: a
 * station's AQI held above 200 for an hour raises one alert and opens one case, dispatched by
 * the responsibility list; the alert resolves itself when the air recovers; a silent noise
 * monitor raises one absence alert; alerts are acknowledged and resolved by API with audit
 * records, and stay invisible outside the caller's jurisdiction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DATAHUB, seedDemoSensors } from '../../src/datahub/index.ts';
import { seedDemoCity } from '../../src/org/index.ts';
import {
  type AlertView,
  PERCEPTION,
  type PerceptionEvent,
  perceptionEvents,
} from '../../src/perception/index.ts';
import { serviceKey } from '../datahub/datahub-fixtures.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';

const MINUTE = 60_000;

for (const backend of testBackends()) {
  describe(`perception end to end (${backend})`, () => {
    let app: TestApp;
    let admin: string;
    let dispatcher: string;
    let operator: string;
    let station: { id: string; division_code: string | null; district_code: string | null };
    let monitors: { id: string; district_code: string | null }[];
    let T0: number;
    let firstTick: number;
    const events: PerceptionEvent[] = [];

    const get = (url: string, key = admin) => app.app.inject({ url, headers: { 'x-api-key': key } });
    const post = (url: string, payload: Record<string, unknown>, key = admin) =>
      app.app.inject({ method: 'POST', url, headers: { 'x-api-key': key }, payload });

    /** Sets the clock to T0 + minutes, posts the station's PM2.5 at that time, waits for perception. */
    async function pm25(minutes: number, value: number) {
      app.clock.set(T0 + minutes * MINUTE);
      const res = await post('/api/v1/observations', {
        items: [{ device: station.id, property: 'pm25', time: app.clock.now().toISOString(), value }],
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().accepted, 1, res.body);
      await settle();
    }

    async function settle() {
      await app.services(DATAHUB).drain();
      await app.services(PERCEPTION).idle();
    }

    const alertsOf = async (device: string, rule: string) =>
      (await get(`/api/v1/alerts?device=${device}&rule=${rule}`)).json() as {
        items: AlertView[];
        total: number;
      };

    before(async () => {
      app = await buildTestApp(backend, { env: { SCHEDULER_ENABLED: 'false' } });
      perceptionEvents.subscribe(app.kernel.bus, 'alert.*', (e) => {
        events.push(e);
      });
      await seedDemoCity(app, { seed: 1, password: 'Demo-perception-2026' });
      await seedDemoSensors(app, { seed: 1 });
      const devices = await app.kernel.db
        .selectFrom('datahub_device')
        .select(['id', 'sensor_type', 'division_code', 'district_code'])
        .orderBy('id')
        .execute();
      station = devices.find((d) => d.sensor_type === 'air-quality-station')!;
      monitors = devices.filter((d) => d.sensor_type === 'noise-monitor');
      admin = await serviceKey(
        app,
        'perception-admin',
        ['admin'],
        ['device.read', 'observation.ingest', 'alert.read', 'alert.manage', 'case.read', 'audit.read'],
      );
      dispatcher = await serviceKey(
        app,
        'perception-dispatcher',
        ['dispatcher'],
        ['alert.read', 'alert.manage', 'case.read', 'case.dispatch'],
      );
      operator = await serviceKey(
        app,
        'perception-operator',
        ['supervision_operator'],
        ['alert.read', 'case.read', 'case.file', 'case.verify'],
      );
      T0 = Math.ceil(app.clock.now().getTime() / MINUTE) * MINUTE;
    });
    after(() => app.dispose());

    test('AQI above 200 for an hour: one alert, one case of ENV.E.05.02, dispatched by the list', async () => {
      for (let m = 0; m <= 55; m += 5) await pm25(m, 200); // AQI 250
      assert.equal((await alertsOf(station.id, 'env-aqi-heavy')).total, 0, 'not before the hour');
      for (let m = 60; m <= 90; m += 5) await pm25(m, 200);
      const heavy = await alertsOf(station.id, 'env-aqi-heavy');
      assert.equal(heavy.total, 1);
      const alert = heavy.items[0]!;
      assert.equal(alert.state, 'raised');
      assert.equal(alert.severity, 'severe');
      assert.equal(alert.moduleId, 'environment');
      assert.equal(alert.raisedAt, new Date(T0 + 60 * MINUTE).toISOString());
      assert.equal(alert.since, new Date(T0).toISOString());
      assert.ok(alert.repeats >= 5, `repeats ${alert.repeats}`);
      assert.equal(alert.values.length, 1);
      assert.match(alert.values[0].label, /aqi/);
      assert.equal(alert.values[0].value, 250);
      assert.equal(alert.divisionCode, station.division_code);
      assert.equal(alert.districtCode, station.district_code);
      assert.ok(
        alert.evidence.length > 0 && alert.evidence.every((e: { property: string }) => e.property === 'aqi'),
      );
      // The light-pollution rule (> 100, no case) raised its own alert beside it.
      assert.equal((await alertsOf(station.id, 'env-aqi-light')).total, 1);
      assert.equal((await alertsOf(station.id, 'env-aqi-light')).items[0]!.case.status, 'none');

      assert.equal(alert.case.status, 'opened', JSON.stringify(alert.case));
      const cases = await app.kernel.db
        .selectFrom('case_record')
        .select(['id', 'number', 'category', 'channel', 'parent_alert_id', 'client_request_id'])
        .where('channel', '=', 'sensor_alert')
        .execute();
      assert.equal(cases.length, 1, JSON.stringify(cases));
      const c = cases[0]!;
      assert.equal(c.category, 'ENV.E.05.02');
      assert.equal(c.parent_alert_id, alert.id);
      assert.equal(c.client_request_id, alert.id);
      assert.equal(alert.case.id, c.id);
      assert.equal(alert.case.number, c.number);
      const view = (await get(`/api/v1/cases/${c.id}`)).json();
      assert.match(view.description, /env-aqi-heavy/);
      assert.equal(view.urgency, 'urgent');

      // Reporting again (a retry after a crash) finds the same case: exactly once. The first
      // tick watches every device of a sensor type with rules from now on.
      firstTick = app.clock.now().getTime();
      await app.services(PERCEPTION).tick();
      await settle();
      assert.equal(
        (
          await app.kernel.db
            .selectFrom('case_record')
            .select('id')
            .where('channel', '=', 'sensor_alert')
            .execute()
        ).length,
        1,
      );

      const filed = await post(`/api/v1/cases/${c.id}/actions/file`, { version: view.version }, operator);
      assert.equal(filed.statusCode, 200, filed.body);
      const dispatched = await post(
        `/api/v1/cases/${c.id}/actions/dispatch`,
        { version: filed.json().version },
        dispatcher,
      );
      assert.equal(dispatched.statusCode, 200, dispatched.body);
      assert.equal(dispatched.json().state, 'dispatched');
      assert.equal(dispatched.json().leadDepartment, 'ecology-environment');
      assert.equal(
        events.filter((e) => e.type === 'alert.raised' && e.data.rule === 'env-aqi-heavy').length,
        1,
      );
    });

    test('the alert resolves itself when the air recovers, noting the open case', async () => {
      for (let m = 95; m <= 105; m += 5) await pm25(m, 30); // AQI 43
      const heavy = await alertsOf(station.id, 'env-aqi-heavy');
      assert.equal(heavy.total, 1);
      const alert = heavy.items[0]!;
      assert.equal(alert.state, 'resolved');
      assert.equal(alert.resolvedBy, null);
      assert.equal(alert.resolvedAt, new Date(T0 + 95 * MINUTE).toISOString());
      assert.match(alert.resolutionNote ?? '', /still open/);
      const resolved = events.filter((e) => e.type === 'alert.resolved' && e.data.alertId === alert.id);
      assert.equal(resolved.length, 1);
      const audit = await app.kernel.db
        .selectFrom('audit_record')
        .select(['action', 'actor'])
        .where('object_id', '=', alert.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => `${a.action} ${a.actor}`),
        [
          'alert.raise system:perception',
          'alert.case_open system:perception',
          'alert.resolve system:perception',
        ],
      );
    });

    test('when the case closes, its alert notes it', async () => {
      const alert = (await alertsOf(station.id, 'env-aqi-heavy')).items[0]!;
      const caseId = alert.case.id as string;
      const handler = await serviceKey(
        app,
        'perception-handler',
        ['department_handler'],
        ['case.read', 'case.handle'],
        { departmentCodes: ['ecology-environment'] },
      );
      let version = (await get(`/api/v1/cases/${caseId}`)).json().version as number;
      const act = async (action: string, body: Record<string, unknown>, key: string) => {
        const res = await post(`/api/v1/cases/${caseId}/actions/${action}`, { version, ...body }, key);
        assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
        version = res.json().version;
        return res.json();
      };
      await act('accept', {}, handler);
      await act('handle', { evidence: ['photo:sprinklers-on'], note: 'Dust suppression done.' }, handler);
      const closed = await act('verify', { result: 'pass' }, operator);
      assert.equal(closed.state, 'closed');
      const deadline = Date.now() + 10_000;
      let seen = alert;
      while (!seen.case.closedAt && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        seen = (await get(`/api/v1/alerts/${alert.id}`)).json();
      }
      assert.ok(seen.case.closedAt, 'the alert notes the closed case');
      const audit = await app.kernel.db
        .selectFrom('audit_record')
        .select('action')
        .where('object_id', '=', alert.id)
        .where('action', '=', 'alert.case_closed')
        .execute();
      assert.equal(audit.length, 1);
    });

    test('a silent noise monitor raises one absence alert, however often it is ticked', async () => {
      const watchedFrom = firstTick;
      app.clock.set(watchedFrom + 20 * MINUTE);
      await app.services(PERCEPTION).tick();
      assert.equal((await alertsOf(monitors[0]!.id, 'env-noise-silent')).total, 0);
      app.clock.set(watchedFrom + 33 * MINUTE);
      await app.services(PERCEPTION).tick();
      await app.services(PERCEPTION).tick();
      app.clock.set(watchedFrom + 40 * MINUTE);
      await app.services(PERCEPTION).tick();
      for (const monitor of monitors) {
        const silent = await alertsOf(monitor.id, 'env-noise-silent');
        assert.equal(silent.total, 1, monitor.id);
        assert.equal(silent.items[0]!.severity, 'minor');
        assert.equal(silent.items[0]!.case.status, 'none');
        assert.equal(silent.items[0]!.raisedAt, new Date(watchedFrom + 30 * MINUTE).toISOString());
      }
    });

    test('acknowledge and resolve by API, audited; another district sees nothing', async () => {
      const monitor = monitors[0]!;
      const alert = (await alertsOf(monitor.id, 'env-noise-silent')).items[0]!;
      const ack = await post(`/api/v1/alerts/${alert.id}/actions/acknowledge`, {}, dispatcher);
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(ack.json().state, 'acknowledged');
      const again = await post(`/api/v1/alerts/${alert.id}/actions/acknowledge`, {}, dispatcher);
      assert.equal(again.json().acknowledgedAt, ack.json().acknowledgedAt);
      const noNote = await post(`/api/v1/alerts/${alert.id}/actions/resolve`, {}, dispatcher);
      assert.equal(noNote.statusCode, 400);
      assert.match(noNote.headers['content-type'] as string, /problem\+json/);
      const readOnly = await post(`/api/v1/alerts/${alert.id}/actions/resolve`, { note: 'x' }, operator);
      assert.equal(readOnly.statusCode, 403);
      const resolved = await post(
        `/api/v1/alerts/${alert.id}/actions/resolve`,
        { note: 'Power cut at the monitor; repair ordered.' },
        dispatcher,
      );
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.equal(resolved.json().state, 'resolved');
      assert.equal(resolved.json().resolutionNote, 'Power cut at the monitor; repair ordered.');
      assert.ok(resolved.json().resolvedBy);
      const twice = await post(`/api/v1/alerts/${alert.id}/actions/resolve`, { note: 'again' }, dispatcher);
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().code, 'alert.not_open');
      const audit = await app.kernel.db
        .selectFrom('audit_record')
        .select(['action', 'actor'])
        .where('object_id', '=', alert.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['alert.raise', 'alert.acknowledge', 'alert.resolve'],
      );
      assert.equal(audit[1]!.actor, resolved.json().resolvedBy);
      // Still silent: no new alert while the evaluator's run goes on.
      app.clock.set(app.clock.now().getTime() + 10 * MINUTE);
      await app.services(PERCEPTION).tick();
      assert.equal((await alertsOf(monitor.id, 'env-noise-silent')).total, 1);

      // A dispatcher of another district.
      const elsewhere = monitors.find((m) => m.district_code !== monitor.district_code)!;
      const outsider = await serviceKey(
        app,
        'perception-outsider',
        ['dispatcher'],
        ['alert.read', 'alert.manage'],
        {
          divisionCodes: [elsewhere.district_code!],
        },
      );
      assert.equal((await get(`/api/v1/alerts/${alert.id}`, outsider)).statusCode, 404);
      assert.equal(
        (await post(`/api/v1/alerts/${alert.id}/actions/acknowledge`, {}, outsider)).statusCode,
        404,
      );
      const listed = (await get('/api/v1/alerts?rule=env-noise-silent', outsider)).json();
      assert.ok(listed.total > 0);
      assert.ok(
        listed.items.every((a: { districtCode: string }) => a.districtCode === elsewhere.district_code),
      );
      assert.equal(listed.total, monitors.filter((m) => m.district_code === elsewhere.district_code).length);
      const paged = (await get('/api/v1/alerts?limit=2&offset=1')).json();
      assert.equal(paged.items.length, 2);
      assert.ok(paged.total > 2);
    });
  });
}
