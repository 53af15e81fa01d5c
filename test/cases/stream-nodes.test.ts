/**
 * The live stream with two nodes on one PostgreSQL schema and no shared bus: each node's hub
 * tails the case event log, so a stream on either node gets the events committed on both,
 * in seq order, none missing, and seqs follow commit order across nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildApp, type OneCityApp } from '../../src/app.ts';
import { auditCapability } from '../../src/audit/index.ts';
import { createCasesCapability, DEFAULT_CASE_SETTINGS } from '../../src/cases/index.ts';
import { type CaseFixture, caseFixture } from '../../src/cases/testing.ts';
import { identityCapability } from '../../src/identity/index.ts';
import { loadConfig, openStorage, type Storage } from '../../src/kernel/index.ts';
import { orgCapability } from '../../src/org/index.ts';
import { testLogger } from '../support/app.ts';
import { patience } from '../support/processes.ts';

const skip = process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL: set TEST_DATABASE_URL';

/** The `id`s and event names of a stream's frames, read until `done` says enough. */
async function readStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  assert.equal(res.status, 200);
  const frames: Array<{ id: number; event: string; caseId: string }> = [];
  const reading = (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (id && event && data) frames.push({ id: Number(id), event, caseId: JSON.parse(data).case?.id });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    frames,
    async until(pred: () => boolean, ms = patience(30_000)) {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

describe('live stream across two nodes without a shared bus (PostgreSQL)', { skip }, () => {
  let fx: CaseFixture;
  let nodeB: OneCityApp;
  let storageB: Storage;
  let baseA: string;
  let baseB: string;
  before(async () => {
    const stream = { pollMs: 200 };
    fx = await caseFixture('postgres', { stream });
    const schema = (fx.t.kernel.storage as { schema?: string }).schema!;
    storageB = await openStorage({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 5 });
    nodeB = await buildApp({
      config: loadConfig({ env: { LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false' }, file: null }),
      storage: storageB,
      logger: testLogger(),
      background: false,
      clock: fx.t.clock,
      capabilities: [
        identityCapability,
        auditCapability,
        orgCapability,
        createCasesCapability({ settings: { ...DEFAULT_CASE_SETTINGS, escalateAfterMinutes: 60 }, stream }),
      ],
    });
    baseA = await fx.t.app.listen({ port: 0, host: '127.0.0.1' });
    baseB = await nodeB.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await nodeB?.close();
    await storageB?.close();
    await fx?.dispose();
  });

  it('each stream gets every event of both nodes once, in commit order', {
    timeout: patience(180_000),
  }, async () => {
    const cases: Array<{ id: string; version: number }> = [];
    for (let k = 0; k < 24; k++) cases.push((await fx.report('citizen')).json());
    const onA = await readStream(`${baseA}/api/v1/stream`, fx.as.sup);
    const onB = await readStream(`${baseB}/api/v1/stream`, fx.as.sup);
    // Half the cases filed through node A, half through node B, all at once.
    const results = await Promise.all(
      cases.map((c, k) =>
        fetch(`${k % 2 ? baseB : baseA}/api/v1/cases/${c.id}/actions/file`, {
          method: 'POST',
          headers: { ...fx.as.sup, 'content-type': 'application/json' },
          body: JSON.stringify({ version: c.version }),
        }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ),
    );
    for (const r of results) assert.equal(r.status, 200, r.body);
    const ids = new Set(cases.map((c) => c.id));
    const filedOf = (s: Awaited<ReturnType<typeof readStream>>) =>
      s.frames.filter((f) => f.event === 'case.filed' && ids.has(f.caseId));
    await onA.until(() => filedOf(onA).length === cases.length);
    await onB.until(() => filedOf(onB).length === cases.length);
    const { rows } = await sql<{ seq: string; case_id: string }>`
      select seq, case_id from case_event where type = 'case.filed' order by seq`.execute(fx.t.kernel.db);
    const logged = rows.filter((r) => ids.has(r.case_id)).map((r) => Number(r.seq));
    for (const s of [onA, onB]) {
      assert.deepEqual(
        filedOf(s).map((f) => f.id),
        logged,
        'every filing, once, in the order of the log',
      );
      const all = s.frames.map((f) => f.id);
      assert.ok(
        all.every((id, i) => i === 0 || id > all[i - 1]),
        'ids strictly increase',
      );
    }
    // The log's numbers follow commit order: each filing's audit record (appended under the
    // same lock, in the same transaction) comes in the same order.
    const { rows: audit } = await sql<{ object_id: string }>`
      select object_id from audit_record where action = 'case.filed' order by seq`.execute(fx.t.kernel.db);
    assert.deepEqual(
      audit.map((a) => a.object_id).filter((id) => ids.has(id)),
      rows.filter((r) => ids.has(r.case_id)).map((r) => r.case_id),
    );
    await Promise.all([onA.close(), onB.close()]);
  });
});
