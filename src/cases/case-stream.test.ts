import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../../test/support/storage.ts';
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
    async waitFor(pred: (f: Frame) => boolean, ms = 1000): Promise<Frame> {
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
      fx = await caseFixture(backend, { stream: { heartbeatMs: 100 } });
      base = await fx.t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(() => fx.dispose());

    it('delivers committed case events within a second, only to those who may see the case', async () => {
      const sup = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const other = await openStream(`${base}/api/v1/stream`, fx.as.other);
      const handler = await openStream(`${base}/api/v1/stream`, fx.as.handler);
      assert.equal(sup.res.status, 200);
      assert.match(sup.res.headers.get('content-type') ?? '', /text\/event-stream/);
      const started = Date.now();
      const c = await fx.walk([
        ['sup', 'file'],
        ['disp', 'dispatch'],
      ]);
      const filed = await sup.waitFor((f) => f.event === 'case.filed' && f.data.case.id === c.id);
      assert.ok(Date.now() - started < 1000);
      assert.equal(filed.data.case.number, c.number);
      assert.match(filed.id!, /^\d+$/);
      await handler.waitFor((f) => f.event === 'case.dispatched' && f.data.case.id === c.id);
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
    });

    it('sends an event that commits after one with a higher seq (concurrent writers)', async () => {
      // On PostgreSQL two transactions take their seqs and commit in either order; here the
      // bus is handed two committed events in the reverse order of their seqs.
      const s = await openStream(`${base}/api/v1/stream`, fx.as.sup);
      const a = (await fx.report('citizen')).json();
      const b = (await fx.report('citizen')).json();
      const bus = fx.t.kernel.bus;
      const publish = bus.publish.bind(bus);
      const held: Array<Parameters<typeof bus.publish>[0]> = [];
      bus.publish = async (event) => {
        held.push(event);
      };
      try {
        await fx.act('sup', a.id, 'file', { version: 1 });
        await fx.act('sup', b.id, 'file', { version: 1 });
      } finally {
        bus.publish = publish;
      }
      const filed = held.filter((e) => e.type === 'case.filed');
      assert.equal(filed.length, 2);
      for (const e of [...filed].reverse()) await publish(e);
      const later = await s.waitFor((f) => f.event === 'case.filed' && f.data.case.id === b.id);
      const earlier = await s.waitFor((f) => f.event === 'case.filed' && f.data.case.id === a.id);
      // The late one carries the highest seq sent as its id: a client resuming from it has both.
      assert.equal(earlier.id, later.id);
      await s.close();
      await fx.act('disp', a.id, 'dispatch', { version: 2 });
      const again = await openStream(`${base}/api/v1/stream`, { ...fx.as.sup, 'last-event-id': earlier.id! });
      const dispatched = await again.waitFor((f) => f.event === 'case.dispatched' && f.data.case.id === a.id);
      assert.ok(Number(dispatched.id) > Number(later.id));
      assert.ok(
        !again.frames.some((f) => f.event === 'case.filed' && [a.id, b.id].includes(f.data.case.id)),
        'nothing it already had is sent again',
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
