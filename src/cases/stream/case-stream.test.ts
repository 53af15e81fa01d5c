import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { patience } from '../../../test/support/processes.ts';
import { testBackends } from '../../../test/support/storage.ts';
import { addUser, bearer, loginAs, TEST_ADMIN_PASSWORD } from '../../identity/testing.ts';
import { createUser, issueApiKey, type Principal, revokeApiKey, systemActor } from '../../identity/index.ts';
import { createEvent, TooManyRequestsError } from '../../kernel/index.ts';
import { recordCaseEvent } from '../store/case-outbox.ts';
import { CaseStreamHub, DEFAULT_STREAM_OPTIONS } from './case-stream.ts';
import { CASES } from '../index.ts';
import { type CaseFixture, caseFixture } from '../testing.ts';

/** The `data:` of a case event's frame (`frame` in case-stream.ts). */
interface CaseEventData {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
  case: {
    id: string;
    number: string;
    state: string;
    category: string;
    light: string | null;
    district: string | null;
    leadDepartment: string | null;
    address: string | null;
  };
}

/** The `data:` of a `stream.gap` frame: the events after `after` up to `resumedAt` were skipped. */
interface GapData {
  after: number;
  resumedAt: number;
  message: string;
}

interface Frame {
  id: string | null;
  event: string | null;
  data: CaseEventData | GapData | null;
}

/** The case a frame tells of (none for a gap frame). */
const caseOf = (f: Frame) => (f.data && 'case' in f.data ? f.data.case : undefined);

/** What a `stream.gap` frame says was skipped. */
function gapOf(f: Frame): GapData {
  assert.ok(f.data && 'resumedAt' in f.data, `frame ${f.id} (${f.event}) is not a gap frame`);
  return f.data;
}

/** A real SSE client over fetch streaming: collects frames and comments. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const frames: Frame[] = [];
  const comments: string[] = [];
  let buffer = '';
  const reading = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let i = buffer.indexOf('\n\n');
        while (i >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const f: Frame = { id: null, event: null, data: null };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) f.id = line.slice(4);
            else if (line.startsWith('event: ')) f.event = line.slice(7);
            else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
          }
          if (f.data) frames.push(f);
          i = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  let ended = false;
  void reading.then(() => {
    ended = true;
  });
  return {
    res,
    frames,
    comments,
    /** Waits until the server ends the response (a client's own close does not count). */
    async waitForEnd(ms = patience(15_000)): Promise<void> {
      const deadline = Date.now() + ms;
      while (!ended) {
        if (Date.now() > deadline) throw new Error(`the stream did not end within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    get ended() {
      return ended;
    },
    async waitFor(pred: (f: Frame) => boolean, ms = patience(15_000)): Promise<Frame> {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = frames.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching frame within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

for (const backend of testBackends()) {
  describe(`live stream over a real socket (${backend})`, () => {
    let fx: CaseFixture;
    let base: string;
    before(async () => {
      fx = await caseFixture(backend, {
        stream: { heartbeatMs: 100, replayLimit: 5, pollMs: 200 },
        settings: { streamMaxPerPrincipal: 3 },
      });
      base = await fx.t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => fx.dispose());

    it('delivers committed case events within a second, only to those who may see the case', async () => {
      const sup = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const other = await openStream(`${base}/api/v1/stream`, fx.as.other);
      const handler = await openStream(`${base}/api/v1/stream`, fx.as.handler);
      assert.equal(sup.res.status, 200);
      assert.match(sup.res.headers.get('content-type') ?? '', /text\/event-stream/);
      const address = '杭州市西湖区文三路100号';
      const c = await fx.walk(
        [
          ['sup', 'file'],
          ['disp', 'dispatch'],
        ],
        { address },
      );
      const filed = await sup.waitFor((f) => f.event === 'case.filed' && caseOf(f)?.id === c.id);
      assert.equal(caseOf(filed)?.number, c.number);
      assert.match(filed.id!, /^\d+$/);
      const seen = await handler.waitFor((f) => f.event === 'case.dispatched' && caseOf(f)?.id === c.id);
      const supSeen = await sup.waitFor((f) => f.event === 'case.dispatched' && caseOf(f)?.id === c.id);
      assert.equal(caseOf(supSeen)?.address, address, 'pii.read sees the address');
      assert.ok(caseOf(seen)?.address && caseOf(seen)?.address !== address, 'without pii.read it is masked');
      assert.equal(seen.id, supSeen.id);
      assert.ok(
        !handler.frames.some((f) => f.event === 'case.filed' && caseOf(f)?.id === c.id),
        'before dispatch the department does not see the case',
      );
      await new Promise((r) => setTimeout(r, 250));
      assert.ok(!other.frames.some((f) => caseOf(f)?.id === c.id), 'another department sees nothing of it');
      assert.ok(sup.comments.includes('heartbeat'), 'heartbeats keep the connection alive');
      assert.ok(!JSON.stringify(sup.frames).includes('13812341234'), 'no reporter data on the stream');
      await Promise.all([sup.close(), other.close(), handler.close()]);
    });

    it('reconnecting with Last-Event-ID replays what was missed', async () => {
      const s = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const c = (await fx.report('citizen')).json();
      // Intake publishes through the outbox job (the scheduler's next poll, ≤ SCHEDULER_POLL_MS).
      await fx.t.kernel.scheduler.runDue();
      const reported = await s.waitFor((f) => f.event === 'case.reported' && caseOf(f)?.id === c.id);
      await s.close();
      // While disconnected:
      await fx.act('sup', c.id, 'file', { version: 1 });
      await fx.act('disp', c.id, 'dispatch', { version: 2 });
      const again = await openStream(`${base}/api/v1/stream`, {
        ...fx.as.sup,
        'last-event-id': reported.id!,
      });
      await again.waitFor((f) => f.event === 'case.dispatched' && caseOf(f)?.id === c.id);
      const mine = again.frames.filter((f) => caseOf(f)?.id === c.id).map((f) => f.event);
      assert.deepEqual(mine, ['case.filed', 'case.dispatched'], 'exactly the missed ones, in order');
      await fx.act('handler', c.id, 'accept', { version: 3 });
      await again.waitFor((f) => f.event === 'case.accepted' && caseOf(f)?.id === c.id);
      await again.close();
      // A new EventSource cannot send the header: ?lastEventId= does the same.
      const byQuery = await openStream(`${base}/api/v1/stream?lastEventId=${reported.id}`, fx.as.sup);
      await byQuery.waitFor((f) => f.event === 'case.accepted' && caseOf(f)?.id === c.id);
      assert.deepEqual(
        byQuery.frames.filter((f) => caseOf(f)?.id === c.id).map((f) => f.event),
        ['case.filed', 'case.dispatched', 'case.accepted'],
      );
      await byQuery.close();
      for (const [url, headers] of [
        [`${base}/api/v1/stream?lastEventId=yesterday`, fx.as.sup],
        [`${base}/api/v1/stream`, { ...fx.as.sup, 'last-event-id': 'yesterday' }],
      ] as const) {
        const bad = await fetch(url, { headers });
        assert.equal(bad.status, 400);
        assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
        await bad.body?.cancel();
      }
      // An id beyond the log's end (a restored database): one gap frame, then live events.
      const ahead = await openStream(`${base}/api/v1/stream`, { ...fx.as.sup, 'last-event-id': '999999999' });
      const gap = await ahead.waitFor((f) => f.event === 'stream.gap');
      assert.equal(gapOf(gap).after, 999999999);
      await fx.act('handler', c.id, 'handle', { version: 4, evidence: ['after.jpg'] });
      const handled = await ahead.waitFor((f) => f.event === 'case.handled' && caseOf(f)?.id === c.id);
      assert.ok(Number(handled.id) > Number(gap.id));
      await ahead.close();
    });

    it('numbers events in commit order: a writer waits for one that numbered before it', async () => {
      const engine = fx.t.services(CASES).engine;
      const s = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const a = (await fx.report('citizen')).json();
      const b = (await fx.report('citizen')).json();
      const noted = (c: { id: string; number: string }) =>
        createEvent('case.noted', { caseId: c.id }, fx.t.clock.now(), `case:${c.number}`);
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let firstWritten!: () => void;
      const written = new Promise<void>((r) => {
        firstWritten = r;
      });
      // The first transaction numbers its event and stays open; the second tries meanwhile.
      const first = engine.db.transaction().execute(async (trx) => {
        await recordCaseEvent(trx, engine.scheduler, noted(a));
        firstWritten();
        await held;
      });
      await written;
      let secondDone = false;
      const second = engine.db
        .transaction()
        .execute((trx) => recordCaseEvent(trx, engine.scheduler, noted(b)))
        .then(() => {
          secondDone = true;
        });
      try {
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(secondDone, false, 'the second writer waits for the first to end');
        assert.ok(!s.frames.some((f) => f.event === 'case.noted'), 'nothing uncommitted is sent');
      } finally {
        release();
        await Promise.all([first, second]);
      }
      const { rows } = await sql<{ case_id: string; seq: string }>`
        select case_id, seq from case_event where type = 'case.noted' order by seq`.execute(engine.db);
      assert.deepEqual(
        rows.map((r) => r.case_id),
        [a.id, b.id],
        'the event that committed first has the lower seq',
      );
      // The bus says nothing of these events: the hub's periodic read finds them.
      const fb = await s.waitFor((f) => f.event === 'case.noted' && caseOf(f)?.id === b.id, patience(15_000));
      const fa = s.frames.find((f) => f.event === 'case.noted' && caseOf(f)?.id === a.id)!;
      assert.equal(fa.id, String(rows[0].seq));
      assert.equal(fb.id, String(rows[1].seq));
      assert.ok(s.frames.indexOf(fa) < s.frames.indexOf(fb), 'sent in seq order');
      const ids = s.frames.map((f) => Number(f.id));
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
        'ids strictly increase',
      );
      assert.equal(new Set(ids).size, ids.length);
      await s.close();
    });

    it('replays at most replayLimit events, then says what the client missed', async () => {
      const s = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const c = (await fx.report('citizen')).json();
      await fx.t.kernel.scheduler.runDue();
      const reported = await s.waitFor((f) => f.event === 'case.reported' && caseOf(f)?.id === c.id);
      await s.close();
      // Eight events while away: the fixture's streams replay five (replayLimit).
      const missed: string[] = [];
      for (let k = 0; k < 4; k++) {
        const d = await fx.walk([['sup', 'file']]);
        missed.push(d.id, d.id);
      }
      const { rows } = await sql<{ seq: string; case_id: string }>`
        select seq, case_id from case_event where seq > ${Number(reported.id)} order by seq`.execute(
        fx.t.services(CASES).engine.db,
      );
      assert.equal(rows.length, 8);
      const again = await openStream(`${base}/api/v1/stream`, {
        ...fx.as.sup,
        'last-event-id': reported.id!,
      });
      const gap = await again.waitFor((f) => f.event === 'stream.gap');
      const replayed = again.frames.slice(0, again.frames.indexOf(gap));
      assert.deepEqual(
        replayed.map((f) => f.id),
        rows.slice(0, 5).map((r) => String(r.seq)),
        'the first five, in order',
      );
      assert.equal(gap.id, String(rows[7].seq), 'the gap frame moves the client to the log head');
      assert.equal(gapOf(gap).after, Number(reported.id));
      assert.equal(gapOf(gap).resumedAt, Number(rows[7].seq));
      const live = await fx.walk([['sup', 'file']]);
      const next = await again.waitFor((f) => f.event === 'case.filed' && caseOf(f)?.id === live.id);
      assert.ok(Number(next.id) > Number(gap.id));
      assert.ok(
        !again.frames.some((f) => Number(f.id) > Number(rows[4].seq) && Number(f.id) < Number(gap.id)),
        'nothing inside the gap is sent',
      );
      await again.close();
    });

    it('authenticates by header or a short-lived ?token= ticket', async () => {
      let r = await fetch(`${base}/api/v1/stream`);
      assert.equal(r.status, 401);
      await r.body?.cancel();
      r = await fetch(`${base}/api/v1/stream?token=ost_forged`);
      assert.equal(r.status, 401);
      await r.body?.cancel();
      const ticket = await fx.t.app.inject({
        method: 'POST',
        url: '/api/v1/stream/tokens',
        headers: fx.as.citizen,
      });
      assert.equal(ticket.statusCode, 201);
      const { token } = ticket.json();
      const s = await openStream(`${base}/api/v1/stream?token=${encodeURIComponent(token)}`);
      assert.equal(s.res.status, 200);
      const mine = (await fx.report('citizen')).json();
      await fx.t.kernel.scheduler.runDue();
      const seen = await s.waitFor((f) => caseOf(f)?.id === mine.id);
      assert.equal(seen.event, 'case.reported');
      const theirs = (await fx.report('citizen2')).json();
      await fx.t.kernel.scheduler.runDue();
      await new Promise((r) => setTimeout(r, 250));
      assert.ok(!s.frames.some((f) => caseOf(f)?.id === theirs.id), 'a citizen sees only their own cases');
      await s.close();
      fx.t.clock.advance(61_000);
      r = await fetch(`${base}/api/v1/stream?token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 401, 'the ticket expired');
      await r.body?.cancel();
      await fx.relogin();
    });

    it('refuses a caller more than maxPerPrincipal streams (429, Retry-After) until one closes', async () => {
      const open = await Promise.all([1, 2, 3].map(() => openStream(`${base}/api/v1/stream`, fx.as.street)));
      for (const s of open) assert.equal(s.res.status, 200);
      const refused = await fetch(`${base}/api/v1/stream`, { headers: fx.as.street });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '30');
      assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal((await refused.json()).code, 'stream.too_many_for_caller');
      // A ticket is the same caller.
      const { token } = (
        await fx.t.app.inject({ method: 'POST', url: '/api/v1/stream/tokens', headers: fx.as.street })
      ).json();
      const byTicket = await fetch(`${base}/api/v1/stream?token=${encodeURIComponent(token)}`);
      assert.equal(byTicket.status, 429);
      await byTicket.body?.cancel();
      // Others are not held back by this caller.
      const other = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      assert.equal(other.res.status, 200);
      await other.close();
      // One closes: its place comes back once the server has seen the connection go.
      await open[0].close();
      const deadline = Date.now() + 5000;
      let again = await openStream(`${base}/api/v1/stream`, fx.as.street);
      while (again.res.status === 429 && Date.now() < deadline) {
        await again.close();
        await new Promise((r) => setTimeout(r, 20));
        again = await openStream(`${base}/api/v1/stream`, fx.as.street);
      }
      assert.equal(again.res.status, 200);
      await Promise.all([again.close(), open[1].close(), open[2].close()]);
    });

    it("logout ends the session's open streams, and its tickets open no more", async () => {
      const session = bearer(await loginAs(fx.t, 'c.citizen2'));
      const ticket = (
        await fx.t.app.inject({ method: 'POST', url: '/api/v1/stream/tokens', headers: session })
      ).json().token as string;
      const byHeader = await openStream(`${base}/api/v1/stream`, session);
      const byTicket = await openStream(`${base}/api/v1/stream?token=${encodeURIComponent(ticket)}`);
      // The same user signed in elsewhere: another session, untouched by this logout.
      const elsewhere = await openStream(`${base}/api/v1/stream`, fx.as.citizen2);
      for (const s of [byHeader, byTicket, elsewhere]) assert.equal(s.res.status, 200);

      const logout = await fx.t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session });
      assert.equal(logout.statusCode, 204);
      await byHeader.waitForEnd();
      await byTicket.waitForEnd();
      // Well within the ticket's 60 s.
      const reopened = await fetch(`${base}/api/v1/stream?token=${encodeURIComponent(ticket)}`);
      assert.equal(reopened.status, 401);
      assert.equal((await reopened.json()).code, 'auth.token_revoked');

      assert.equal(elsewhere.ended, false);
      const mine = (await fx.report('citizen2')).json();
      await fx.t.kernel.scheduler.runDue();
      await elsewhere.waitFor((f) => caseOf(f)?.id === mine.id);
      await Promise.all([byHeader.close(), byTicket.close(), elsewhere.close()]);
    });

    it("disabling a user ends their streams and their tickets' use", async () => {
      const user = await addUser(fx.t, `c.leaving.${backend}`, ['dispatcher']);
      const session = bearer(await loginAs(fx.t, user.username));
      const ticket = (
        await fx.t.app.inject({ method: 'POST', url: '/api/v1/stream/tokens', headers: session })
      ).json().token as string;
      const s = await openStream(`${base}/api/v1/stream`, session);
      assert.equal(s.res.status, 200);
      const admin = bearer(await loginAs(fx.t, 'admin', TEST_ADMIN_PASSWORD));
      const disabled = await fx.t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        headers: admin,
        payload: { disabled: true },
      });
      assert.equal(disabled.statusCode, 200, disabled.body);
      await s.waitForEnd();
      const reopened = await fetch(`${base}/api/v1/stream?token=${encodeURIComponent(ticket)}`);
      assert.equal(reopened.status, 401);
      // Disabling revokes the user's sessions as well: either is why.
      assert.ok(['auth.token_revoked', 'auth.account_disabled'].includes((await reopened.json()).code));
      await s.close();
    });

    it("revoking an API key ends its streams and its tickets' use", async () => {
      const actor = { ...systemActor(fx.t.clock.now()), bus: fx.t.kernel.bus };
      const account = `c.gateway.${backend}`;
      await createUser(
        fx.t.kernel.db,
        { username: account, displayName: account, kind: 'service', roles: ['dispatcher'] },
        actor,
      );
      const { id, key } = await issueApiKey(
        fx.t.kernel.db,
        { account, name: 'feed', scopes: ['case.read'] },
        actor,
      );
      const ticket = (
        await fx.t.app.inject({ method: 'POST', url: '/api/v1/stream/tokens', headers: { 'x-api-key': key } })
      ).json().token as string;
      const byKey = await openStream(`${base}/api/v1/stream`, { 'x-api-key': key });
      const byTicket = await openStream(`${base}/api/v1/stream?token=${encodeURIComponent(ticket)}`);
      for (const s of [byKey, byTicket]) assert.equal(s.res.status, 200);
      await revokeApiKey(fx.t.kernel.db, id, actor);
      await byKey.waitForEnd();
      await byTicket.waitForEnd();
      const reopened = await fetch(`${base}/api/v1/stream?token=${encodeURIComponent(ticket)}`);
      assert.equal(reopened.status, 401);
      assert.equal((await reopened.json()).code, 'auth.api_key_revoked');
      await Promise.all([byKey.close(), byTicket.close()]);
    });

    it('refuses past maxPerNode streams on the node, and a revoked caller frees its places', () => {
      const caller = (id: string): Principal => ({
        kind: 'user',
        id,
        username: id,
        roles: ['dispatcher'],
        departmentCodes: [],
        divisionCodes: [],
      });
      const refusal = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          assert.ok(e instanceof TooManyRequestsError);
          return e.code;
        }
        assert.fail('not refused');
      };
      const hub = new CaseStreamHub(fx.t.services(CASES).engine, {
        ...DEFAULT_STREAM_OPTIONS,
        maxPerPrincipal: 2,
        maxPerNode: 3,
      });
      hub.reserve({ principal: caller('a'), sessionId: 's-a' });
      hub.reserve({ principal: caller('a'), sessionId: 's-a2' });
      assert.equal(
        refusal(() => hub.reserve({ principal: caller('a') })),
        'stream.too_many_for_caller',
      );
      hub.reserve({ principal: caller('b'), sessionId: 's-b' });
      assert.equal(
        refusal(() => hub.reserve({ principal: caller('c') })),
        'stream.node_full',
      );
      assert.equal(hub.endStreamsOf({ sessionIds: ['s-a'] }), 1);
      hub.reserve({ principal: caller('c'), sessionId: 's-c' });
      assert.equal(
        refusal(() => hub.reserve({ principal: caller('d') })),
        'stream.node_full',
      );
      assert.equal(hub.endStreamsOf({ userId: 'a' }), 1);
      assert.equal(hub.endStreamsOf({ apiKeyIds: ['nothing'] }), 0);
      hub.reserve({ principal: caller('d'), apiKeyId: 'k-d' });
      hub.close();
    });
  });
}
