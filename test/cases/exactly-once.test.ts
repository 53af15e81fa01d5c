/**
 * The shown-by of issue 4: two server processes on one PostgreSQL schema, schedulers
 * polling, one case whose handling deadline has passed → exactly one supervision notice
 * and exactly one escalation (rows counted), whoever of the two fires them.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CaseFixture, caseFixture, present, TO_IN_PROGRESS } from '../../src/cases/testing.ts';
import { patience, spawnForTest, within } from '../support/processes.ts';

const NODE = fileURLToPath(new URL('../support/case-node.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skip = process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL: set TEST_DATABASE_URL';

interface Node {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
  stderr: string[];
}

function startNode(t: TestContext, schema: string, nodeId: string): Node {
  const { child } = spawnForTest(t, process.execPath, ['--import', 'tsx', NODE], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, SCHEMA: schema, NODE_ID: nodeId },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  lines.on('line', (line) => {
    if (line === 'ready') onReady();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // A node that dies before "ready" must fail the test, not hang it.
  exited.then(() => onReady());
  return { child, ready, exited, stderr };
}

describe('cases: one deadline, two server processes, one supervision and one escalation', { skip }, () => {
  let fx: CaseFixture;
  before(async () => {
    fx = await caseFixture('postgres');
  });
  after(() => fx?.dispose());

  test('exactly once across nodes', { timeout: patience(300_000) }, async (t) => {
    // The case is accepted 3 hours ago (real time): its 2-hour emergency deadline has passed.
    fx.t.clock.set(Date.now() - 3 * 3_600_000);
    await fx.relogin();
    const c = await fx.walk(TO_IN_PROGRESS, { urgency: 'emergency' });
    assert.equal(c.state, 'in_progress');
    assert.ok(new Date(present(c.stage?.deadline, 'handle deadline')).getTime() < Date.now());
    const schema = (fx.t.kernel.storage as { schema?: string }).schema!;
    const db = fx.t.kernel.db;
    const count = async (kind: string) =>
      Number(
        (
          await db
            .selectFrom('case_notification')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('case_id', '=', c.id)
            .where('kind', '=', kind)
            .executeTakeFirstOrThrow()
        ).n,
      );

    const nodes = [startNode(t, schema, 'node-a'), startNode(t, schema, 'node-b')];
    try {
      await within(Promise.all(nodes.map((n) => n.ready)), 120_000, 'ready from both nodes');
      for (const n of nodes) assert.equal(n.child.exitCode, null, `node died: ${n.stderr.join('')}`);
      for (const n of nodes) n.child.stdin!.write('go\n');
      const deadline = Date.now() + patience(60_000);
      while ((await count('escalation')) === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      // Let both nodes poll a while longer: a second firing would show now.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await count('supervision_notice'), 1, 'one supervision notice');
      assert.equal(await count('escalation'), 1, 'one escalation');
      const history = await db
        .selectFrom('case_history')
        .select('action')
        .where('case_id', '=', c.id)
        .where('actor', '=', 'system:sla-clock')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        history.map((h) => h.action),
        ['supervise', 'escalate'],
      );
      const row = await db
        .selectFrom('case_record')
        .select(['escalation_level', 'light'])
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.escalation_level, 1);
      assert.equal(row.light, 'red');
      const fired = await db
        .selectFrom('kernel_job')
        .select(['kind', 'fired_by'])
        .where('key', 'in', [`sla:${c.id}:handle:red`, `sla:${c.id}:handle:escalate`])
        .where('status', '=', 'done')
        .execute();
      assert.equal(fired.length, 2, 'the red and the escalation job each fired once');
      for (const f of fired) assert.ok(f.fired_by, `${f.kind} records the node that fired it`);
    } finally {
      for (const n of nodes) n.child.stdin!.write('stop\n');
      const codes = await within(Promise.all(nodes.map((n) => n.exited)), 60_000, 'exit of both nodes');
      assert.deepEqual(codes, [0, 0], nodes.map((n) => n.stderr.join('')).join('\n'));
    }
  });
});
