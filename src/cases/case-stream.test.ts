import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { patience } from '../../test/support/processes.ts';
import { testBackends } from '../../test/support/storage.ts';
import { createEvent } from '../kernel/index.ts';
import { recordCaseEvent } from './case-outbox.ts';
import { caseEngineOf } from './index.ts';
import { type CaseFixture, caseFixture } from './testing.ts';

interface Frame {
  id: string | null;
  event: string | null;
  data: any;
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
  return {
    res,
    frames,
    comments,
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
      fx = await caseFixture(backend, { stream: { heartbeatMs: 100, replayLimit: 5, pollMs: 200 } });
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
      const filed = await sup.waitFor((f) => f.event === 'case.filed' && f.data.case.id === c.id);
      assert.equal(filed.data.case.number, c.number);
      assert.match(filed.id!, /^\d+$/);
      const seen = await handler.waitFor((f) => f.event === 'case.dispatched' && f.data.case.id === c.id);
      const supSeen = await sup.waitFor((f) => f.event === 'case.dispatched' && f.data.case.id === c.id);
      assert.equal(supSeen.data.case.address, address, 'pii.read sees the address');
      assert.ok(
        seen.data.case.address && seen.data.case.address !== address,
        'without pii.read it is masked',
      );
      assert.equal(seen.id, supSeen.id);
      assert.ok(
        !handler.frames.some((f) => f.event === 'case.filed' && f.data.case.id === c.id),
        'before dispatch the department does not see the case',
      );
      await new Promise((r) => setTimeout(r, 250));
      assert.ok(!other.frames.some((f) => f.data.case.id === c.id), 'another department sees nothing of it');
      assert.ok(sup.comments.includes('heartbeat'), 'heartbeats keep the connection alive');
      assert.ok(!JSON.stringify(sup.frames).includes('13812341234'), 'no reporter data on the stream');
      await Promise.all([sup.close(), other.close(), handler.close()]);
    });

    it('reconnecting with Last-Event-ID replays what was missed', async () => {
      const s = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const c = (await fx.report('citizen')).json();
      // Intake publishes through the outbox job (the scheduler's next poll, ≤ SCHEDULER_POLL_MS).
      await fx.t.kernel.scheduler.runDue();
      const reported = await s.waitFor((f) => f.event === 'case.reported' && f.data.case.id === c.id);
      await s.close();
      // While disconnected:
      await fx.act('sup', c.id, 'file', { version: 1 });
      await fx.act('disp', c.id, 'dispatch', { version: 2 });
      const again = await openStream(`${base}/api/v1/stream`, {
        ...fx.as.sup,
        'last-event-id': reported.id!,
      });
      await again.waitFor((f) => f.event === 'case.dispatched' && f.data.case.id === c.id);
      const mine = again.frames.filter((f) => f.data.case.id === c.id).map((f) => f.event);
      assert.deepEqual(mine, ['case.filed', 'case.dispatched'], 'exactly the missed ones, in order');
      await fx.act('handler', c.id, 'accept', { version: 3 });
      await again.waitFor((f) => f.event === 'case.accepted' && f.data.case.id === c.id);
      await again.close();
      // A new EventSource cannot send the header: ?lastEventId= does the same.
      const byQuery = await openStream(`${base}/api/v1/stream?lastEventId=${reported.id}`, fx.as.sup);
      await byQuery.waitFor((f) => f.event === 'case.accepted' && f.data.case.id === c.id);
      assert.deepEqual(
        byQuery.frames.filter((f) => f.data.case.id === c.id).map((f) => f.event),
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
      assert.equal(gap.data.after, 999999999);
      await fx.act('handler', c.id, 'handle', { version: 4, evidence: ['after.jpg'] });
      const handled = await ahead.waitFor((f) => f.event === 'case.handled' && f.data.case.id === c.id);
      assert.ok(Number(handled.id) > Number(gap.id));
      await ahead.close();
    });

    it('numbers events in commit order: a writer waits for one that numbered before it', async () => {
      const engine = caseEngineOf(fx.t.kernel);
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
        await recordCaseEvent(engine, trx, noted(a));
        firstWritten();
        await held;
      });
      await written;
      let secondDone = false;
      const second = engine.db
        .transaction()
        .execute((trx) => recordCaseEvent(engine, trx, noted(b)))
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
      const fb = await s.waitFor((f) => f.event === 'case.noted' && f.data.case.id === b.id, patience(15_000));
      const fa = s.frames.find((f) => f.event === 'case.noted' && f.data.case.id === a.id)!;
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
      const reported = await s.waitFor((f) => f.event === 'case.reported' && f.data.case.id === c.id);
      await s.close();
      // Eight events while away: the fixture's streams replay five (replayLimit).
      const missed: string[] = [];
      for (let k = 0; k < 4; k++) {
        const d = await fx.walk([['sup', 'file']]);
        missed.push(d.id, d.id);
      }
      const { rows } = await sql<{ seq: string; case_id: string }>`
        select seq, case_id from case_event where seq > ${Number(reported.id)} order by seq`.execute(
        caseEngineOf(fx.t.kernel).db,
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
      assert.equal(gap.data.after, Number(reported.id));
      assert.equal(gap.data.resumedAt, Number(rows[7].seq));
      const live = await fx.walk([['sup', 'file']]);
      const next = await again.waitFor((f) => f.event === 'case.filed' && f.data.case.id === live.id);
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
      const seen = await s.waitFor((f) => f.data.case.id === mine.id);
      assert.equal(seen.event, 'case.reported');
      const theirs = (await fx.report('citizen2')).json();
      await fx.t.kernel.scheduler.runDue();
      await new Promise((r) => setTimeout(r, 250));
      assert.ok(!s.frames.some((f) => f.data.case.id === theirs.id), 'a citizen sees only their own cases');
      await s.close();
      fx.t.clock.advance(61_000);
      r = await fetch(`${base}/api/v1/stream?token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 401, 'the ticket expired');
      await r.body?.cancel();
      await fx.relogin();
    });
  });
}
