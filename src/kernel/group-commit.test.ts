import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit, type GroupCommitOptions, GroupCommits, loopKey, type Outcome } from './group-commit.ts';

/** A group commit over numbers that records its batches; `bad` numbers fail any batch. */
function recorder(
  opts: Partial<GroupCommitOptions<number, number>> & { bad?: number[]; gate?: Promise<void> },
) {
  const batches: number[][] = [];
  const bad = new Set(opts.bad ?? []);
  const gc = new GroupCommit<number, number>({
    maxBatch: 100,
    async runBatch(commands) {
      batches.push(commands);
      await opts.gate;
      if (commands.some((c) => bad.has(c))) throw new Error(`bad in ${commands}`);
      return commands.map((c): Outcome<number> => ({ ok: true, value: c * 10 }));
    },
    ...opts,
  });
  return { gc, batches };
}

describe('group commit', () => {
  test('commands submitted together share one batch and each gets its own result', async () => {
    const { gc, batches } = recorder({});
    const results = await Promise.all([1, 2, 3].map((n) => gc.submit(n)));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.equal(gc.batches, 1);
  });

  test('commands arriving while a batch runs gather into the next one, at most maxBatch each', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const { gc, batches } = recorder({ maxBatch: 2, gate });
    const first = gc.submit(1);
    while (!gc.busy) await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4, 5, 6].map((n) => gc.submit(n));
    open();
    await Promise.all([first, ...later]);
    assert.deepEqual(batches, [[1], [2, 3], [4, 5], [6]]);
  });

  test('a failed batch runs its commands again alone: the bad one fails, the others commit', async () => {
    const { gc, batches } = recorder({ bad: [2] });
    const results = await Promise.allSettled([1, 2, 3].map((n) => gc.submit(n)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(batches, [[1, 2, 3], [1], [2], [3]]);
    // A batch of one that fails is not run again: its error is already its own.
    await assert.rejects(gc.submit(2), /bad in 2/);
    assert.equal(batches.length, 5);
  });

  test('runOne, when given, runs each command of a failed batch, even a batch of one', async () => {
    const alone: number[] = [];
    const { gc } = recorder({
      bad: [7],
      runOne: async (c) => {
        alone.push(c);
        return -c;
      },
    });
    assert.deepEqual(await Promise.all([gc.submit(7), gc.submit(8)]), [-7, -8]);
    assert.equal(await gc.submit(7), -7);
    assert.deepEqual(alone, [7, 8, 7]);
  });

  test('without isolation a failed batch fails every command of it and nothing runs again', async () => {
    const { gc, batches } = recorder({ bad: [2], isolateFailures: false });
    const results = await Promise.allSettled([1, 2].map((n) => gc.submit(n)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(batches.length, 1);
  });

  test('a batch weighs at most maxWeight (its first command always goes), in queue order', async () => {
    const { gc, batches } = recorder({ weight: (c) => c, maxWeight: 10 });
    await Promise.all([4, 5, 2, 12, 1].map((n) => gc.submit(n)));
    assert.deepEqual(batches, [[4, 5], [2], [12], [1]]);
  });

  test('commands with the same key wait for the next batch; the others still join', async () => {
    const { gc, batches } = recorder({ key: (c) => String(c % 10) });
    await Promise.all([1, 11, 2, 21, 3].map((n) => gc.submit(n)));
    assert.deepEqual(batches, [[1, 2, 3], [11], [21]]);
  });

  test('hasRoom and whenRoom bound the queue by weight; room comes back when a batch ends', async () => {
    const { gc } = recorder({ maxQueued: 3, weight: () => 2, lingerMs: 50 });
    const first = gc.submit(1);
    assert.equal(gc.queued, 2);
    assert.equal(gc.hasRoom(2), false);
    assert.equal(gc.hasRoom(1), true);
    let roomed = false;
    const room = gc.whenRoom(2).then(() => {
      roomed = true;
    });
    assert.equal(await first, 10);
    await room;
    assert.ok(roomed);
    assert.equal(gc.queued, 0);
  });

  test('with concurrency, batches run side by side', async () => {
    let running = 0;
    let most = 0;
    const gc = new GroupCommit<number, number>({
      maxBatch: 1,
      concurrency: 3,
      async runBatch(commands) {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return commands.map((c) => ({ ok: true, value: c }));
      },
    });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => gc.submit(n)));
    assert.equal(most, 3);
  });

  test('drain runs what is queued at once, cutting the linger and the minimum interval short', async () => {
    const { gc, batches } = recorder({ lingerMs: 60_000, minIntervalMs: 60_000 });
    const a = gc.submit(1);
    await gc.drain();
    assert.equal(await a, 10);
    const b = gc.submit(2);
    await gc.drain();
    assert.equal(await b, 20);
    assert.deepEqual(batches, [[1], [2]]);
    assert.equal(gc.busy, false);
  });

  test('close drains, then refuses new commands with the given error', async () => {
    const { gc } = recorder({ closedError: () => new Error('shutting down') });
    const a = gc.submit(1);
    await gc.close();
    assert.equal(await a, 10);
    assert.equal(gc.closed, true);
    await assert.rejects(gc.submit(2), /shutting down/);
  });
});

describe('group commits of one owner', () => {
  test('a key gives the same loop every time; drain waits for every loop', async () => {
    const loops = new GroupCommits();
    const A = loopKey<number, number>('a');
    const B = loopKey<string, string>('b');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let made = 0;
    const a = () =>
      loops.of(A, () => {
        made++;
        return { maxBatch: 10, runBatch: async (cs) => cs.map((c) => ({ ok: true, value: c + 1 })) };
      });
    const b = loops.of(B, () => ({
      maxBatch: 10,
      runBatch: async (cs) => {
        await gate;
        return cs.map((c) => ({ ok: true, value: c.toUpperCase() }));
      },
    }));
    assert.equal(a(), a());
    assert.equal(made, 1);
    assert.equal(await a().submit(1), 2);
    const answer = b.submit('x');
    let drained = false;
    const drain = loops.drain().then(() => {
      drained = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false, 'the drain waits for the loop still running');
    release();
    await drain;
    assert.equal(await answer, 'X');
  });
});
