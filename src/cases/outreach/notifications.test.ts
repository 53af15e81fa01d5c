import { sql } from 'kysely';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../../test/support/storage.ts';
import { addUser, bearer, loginAs } from '../../identity/testing.ts';
import type { CitizenMessage } from './citizen-updates.ts';
import type { Principal } from '../../identity/index.ts';
import { CASES, reportCase } from '../index.ts';
import { CATEGORY, type CaseFixture, caseFixture, TO_IN_PROGRESS } from '../testing.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

for (const backend of testBackends()) {
  describe(`notifications, webhooks and citizen updates (${backend})`, () => {
    let fx: CaseFixture;
    let admin: { authorization: string };
    let receiver: Server;
    let receiverUrl: string;
    const received: Received[] = [];
    const answers: number[] = [];
    const sent: CitizenMessage[] = [];

    before(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.statusCode = answers.shift() ?? 200;
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
      fx = await caseFixture(backend, {
        // The receiver listens on loopback.
        settings: { webhookAllowPrivateTargets: true },
        citizenNotifier: {
          name: 'recorder',
          send: async (m) => {
            sent.push(m);
          },
        },
      });
      await addUser(fx.t, 'c.admin', ['admin']);
      admin = bearer(await loginAs(fx.t, 'c.admin'));
    });
    after(async () => {
      await fx.dispose();
      await new Promise((r) => receiver.close(r));
    });

    const api = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      headers: object,
      payload?: object,
    ) => fx.t.app.inject({ method, url, headers: headers as Record<string, string>, payload });

    it('webhook subscriptions: admin only, http(s) only, the secret shown once', async () => {
      let r = await api('POST', '/api/v1/webhooks', fx.as.disp, { url: receiverUrl, events: ['case.*'] });
      assert.equal(r.statusCode, 403);
      r = await api('POST', '/api/v1/webhooks', admin, { url: 'ftp://127.0.0.1/x', events: ['case.*'] });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'webhook.bad_url');
      r = await api('POST', '/api/v1/webhooks', admin, { url: receiverUrl, events: ['user.created'] });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'webhook.bad_pattern');
      r = await api('POST', '/api/v1/webhooks', admin, {
        url: receiverUrl,
        events: ['case.*'],
        active: false,
      });
      assert.equal(r.statusCode, 201, r.body);
      const created = r.json();
      assert.match(created.secret, /^whsec_/);
      r = await api('GET', `/api/v1/webhooks/${created.id}`, admin);
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().secret, undefined);
      assert.ok(!(await api('GET', '/api/v1/webhooks', admin)).body.includes(created.secret));
      r = await api('PATCH', `/api/v1/webhooks/${created.id}`, admin, { rotateSecret: true });
      assert.match(r.json().secret, /^whsec_/);
      assert.notEqual(r.json().secret, created.secret);
      r = await api('DELETE', `/api/v1/webhooks/${created.id}`, admin);
      assert.equal(r.statusCode, 204);
      r = await api('GET', `/api/v1/webhooks/${created.id}`, admin);
      assert.equal(r.statusCode, 404);
    });

    it('delivers matching case events signed, retries with backoff, and logs each attempt', async () => {
      const r = await api('POST', '/api/v1/webhooks', admin, {
        url: receiverUrl,
        events: ['case.filed', 'case.dispatched'],
      });
      const hook = r.json();
      received.length = 0;
      answers.push(500);
      const c = (await fx.report('citizen')).json();
      // A refused transition leaves nothing behind: the outbox is the transaction's.
      const refused = await fx.act('sup', c.id, 'file', { version: 99 });
      assert.equal(refused.statusCode, 409);
      const filed = await fx.act('sup', c.id, 'file', { version: 1 });
      assert.equal(filed.statusCode, 200);
      await fx.t.kernel.scheduler.runDue();
      assert.equal(received.length, 1, 'case.reported is not subscribed; case.filed is, once');
      let log = (await api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, admin)).json().items;
      assert.equal(log.length, 1);
      assert.equal(log[0].status, 'retrying');
      assert.equal(log[0].attempts, 1);
      assert.equal(log[0].responseStatus, 500);
      assert.equal(log[0].nextAttemptAt, new Date(fx.t.clock.now().getTime() + 30_000).toISOString());

      await fx.t.kernel.scheduler.runDue();
      assert.equal(received.length, 1, 'nothing before the backoff has passed');
      fx.t.clock.advance(30_000);
      await fx.t.kernel.scheduler.runDue();
      assert.equal(received.length, 2);
      const { headers, body } = received[1];
      assert.equal(headers['x-onecity-event'], 'case.filed');
      assert.equal(headers['x-onecity-timestamp'], String(Math.floor(fx.t.clock.now().getTime() / 1000)));
      const expected = createHmac('sha256', hook.secret)
        .update(`${headers['x-onecity-timestamp']}.${body}`)
        .digest('hex');
      assert.equal(headers['x-onecity-signature'], `sha256=${expected}`);
      const event = JSON.parse(body);
      assert.equal(event.type, 'case.filed');
      assert.equal(event.data.caseId, c.id);
      assert.ok(!body.includes('13812341234'), 'no personal data in webhook bodies');
      log = (await api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, admin)).json().items;
      assert.equal(log[0].status, 'delivered');
      assert.equal(log[0].attempts, 2);
      assert.deepEqual(
        log[0].log.map((a: { status: number }) => a.status),
        [500, 200],
      );
      await api('DELETE', `/api/v1/webhooks/${hook.id}`, admin);
    });

    it('a delivery that keeps failing stops after the last attempt', async () => {
      const hook = (
        await api('POST', '/api/v1/webhooks', admin, { url: 'http://127.0.0.1:9/closed', events: ['case.*'] })
      ).json();
      await fx.report('citizen');
      for (let i = 0; i < 8; i++) {
        await fx.t.kernel.scheduler.runDue();
        fx.t.clock.advance(3_600_000);
      }
      await fx.relogin();
      admin = bearer(await loginAs(fx.t, 'c.admin'));
      const log = (await api('GET', `/api/v1/webhooks/${hook.id}/deliveries`, admin)).json().items;
      // case.* also matched the SLA timers' events (yellow, supervision) as time went by.
      const reported = log.filter((d: { eventType: string }) => d.eventType === 'case.reported');
      assert.equal(reported.length, 1);
      assert.equal(reported[0].status, 'failed');
      assert.equal(reported[0].attempts, 6);
      assert.equal(reported[0].log.length, 6);
      await api('DELETE', `/api/v1/webhooks/${hook.id}`, admin);
    });

    it('inbox: notifications addressed to a user, role and department; read marks per user', async () => {
      const c = await fx.walk([
        ['sup', 'file'],
        ['disp', 'dispatch'],
      ]);
      let inbox = (await api('GET', '/api/v1/notifications', fx.as.handler)).json();
      const mine = inbox.items.find((n: { caseId: string }) => n.caseId === c.id);
      assert.ok(mine, 'the lead department handler is told of the dispatch');
      assert.equal(mine.kind, 'dispatched');
      assert.equal(mine.read, false);
      const unread = inbox.unread;
      const other = (await api('GET', '/api/v1/notifications', fx.as.other)).json();
      assert.ok(!other.items.some((n: { caseId: string }) => n.caseId === c.id));
      let r = await api('POST', `/api/v1/notifications/${mine.id}/read`, fx.as.other);
      assert.equal(r.statusCode, 404, 'not theirs');
      r = await api('POST', `/api/v1/notifications/${mine.id}/read`, fx.as.handler);
      assert.equal(r.statusCode, 200);
      inbox = (await api('GET', '/api/v1/notifications', fx.as.handler)).json();
      assert.equal(inbox.unread, unread - 1);
      assert.equal(inbox.items.find((n: { id: number }) => n.id === mine.id).read, true);
      r = await api('POST', '/api/v1/notifications/read-all', fx.as.handler);
      assert.equal(r.json().marked, unread - 1);
      assert.equal(
        (await api('GET', '/api/v1/notifications?unread=true', fx.as.handler)).json().items.length,
        0,
      );
      r = await api('GET', '/api/v1/notifications', {});
      assert.equal(r.statusCode, 401);
    });

    it('citizen updates on filed, dispatched, handled and closed, only with consent', async () => {
      sent.length = 0;
      const c = await fx.walk([
        ...TO_IN_PROGRESS,
        ['handler', 'handle', { evidence: ['after.jpg'] }],
        ['sup', 'verify', { result: 'pass' }],
      ]);
      await fx.t.kernel.scheduler.runDue();
      const mine = sent.filter((m) => m.caseId === c.id);
      assert.deepEqual(
        mine.map((m) => m.state),
        ['filed', 'dispatched', 'handled', 'closed'],
      );
      assert.equal(mine[0].to.phone, '13812341234');
      await fx.t.kernel.scheduler.runDue();
      assert.equal(sent.filter((m) => m.caseId === c.id).length, 4, 'each update goes out once');
      const inbox = (await api('GET', '/api/v1/notifications', fx.as.citizen)).json();
      assert.equal(
        inbox.items.filter(
          (n: { caseId: string; kind: string }) => n.caseId === c.id && n.kind === 'case_update',
        ).length,
        4,
        'the reporter also sees them in the app',
      );

      const quiet = await fx.walk([['sup', 'file']], {
        reporter: { name: '李四', phone: '13900001111', consent: false },
      });
      await fx.t.kernel.scheduler.runDue();
      assert.equal(sent.filter((m) => m.caseId === quiet.id).length, 0, 'no consent, no contact');
    });

    it('a case without a reporter gets no citizen-update job; one with a reporter gets one per update', async () => {
      const jobsOf = async (caseId: string) =>
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from kernel_job
              where kind = 'case.citizen.update' and payload->>'caseId' = ${caseId}`.execute(fx.t.kernel.db)
          ).rows[0].n,
        );
      // A sensor gateway's alert: no account to notify in the app, no contact data.
      const gateway: Principal = {
        kind: 'service',
        id: 'svc.sensor-gw',
        username: 'svc.sensor-gw',
        roles: ['grid_worker'],
        departmentCodes: [],
        divisionCodes: [],
      };
      const alert = await reportCase(fx.t.services(CASES).engine, gateway, {
        channel: 'sensor_alert',
        category: CATEGORY,
        location: fx.point,
        description: 'Overflowing bin reported by its fill sensor',
      });
      let c: { id: string; version: number } = alert.case;
      for (const [who, action] of TO_IN_PROGRESS) {
        const res = await fx.act(who, c.id, action, { version: c.version });
        assert.equal(res.statusCode, 200, res.body);
        c = res.json();
      }
      assert.equal(await jobsOf(c.id), 0, 'nobody to tell: no job');
      const reported = await fx.walk(TO_IN_PROGRESS);
      assert.equal(await jobsOf(reported.id), 2, 'filed and dispatched, for its reporter');
    });
  });
}
