/**
 * A timer job that finds its case held by a transition gives way instead of waiting
 * (PostgreSQL). The job holds its own row while it runs, and the transition cancels the
 * case's timers, i.e. waits for that row: had the job waited for the case, the two would
 * deadlock until PostgreSQL aborted one of them a second later.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CASES } from '../../src/cases/index.ts';
import { type CaseFixture, caseFixture, present } from '../../src/cases/testing.ts';

const skip = process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL: set TEST_DATABASE_URL';

describe('cases: a timer gives way to a transition on its case (PostgreSQL)', { skip }, () => {
  let fx: CaseFixture;
  before(async () => {
    fx = await caseFixture('postgres');
  });
  after(() => fx?.dispose());

  it('runs again later without counting an attempt, and the transition cancels it', async () => {
    const c = await fx.walk([
      ['sup', 'file'],
      ['disp', 'dispatch'],
    ]);
    const key = `sla:${c.id}:accept:yellow`;
    const engine = fx.t.services(CASES).engine;
    const job = () =>
      sql<{ status: string; attempts: number; run_at: Date }>`
        select status, attempts, run_at from kernel_job where key = ${key} order by id desc limit 1`
        .execute(engine.db)
        .then((r) => r.rows[0]);
    assert.equal((await job()).status, 'pending');
    // The jobs already due (citizen updates of the walk) run first, out of the way.
    await fx.t.kernel.scheduler.runDue();
    // Past the yellow threshold (80 % of the stage), before the deadline.
    fx.t.clock.set(new Date(present(c.stage?.deadline, 'stage deadline')).getTime() - 60_000);

    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let lockedCase!: () => void;
    const locked = new Promise<void>((r) => {
      lockedCase = r;
    });
    let cancelled = -1;
    // A transition's transaction: it holds the case, then cancels the case's timers.
    const transition = engine.db.transaction().execute(async (trx) => {
      await trx.selectFrom('case_record').select('id').where('id', '=', c.id).forUpdate().execute();
      lockedCase();
      await held;
      cancelled = await engine.scheduler.cancelMany([key], trx);
    });
    await locked;
    let fired = false;
    const firing = fx.t.kernel.scheduler.runDue().then(() => {
      fired = true;
    });
    try {
      for (let waited = 0; !fired && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      assert.equal(fired, true, 'the timer gave way instead of waiting for the case');
      const after = await job();
      assert.equal(after.status, 'pending');
      assert.equal(after.attempts, 0, 'giving way is not a failed attempt');
      assert.ok(new Date(after.run_at).getTime() > fx.t.clock.now().getTime(), 'it runs again later');
    } finally {
      release();
      await Promise.all([transition, firing]);
    }
    assert.equal(cancelled, 1, 'the transition cancelled the timer without waiting');
    assert.equal((await job()).status, 'cancelled');
    assert.equal((await fx.get('sup', c.id)).light, 'green', 'the timer changed nothing');
  });
});
