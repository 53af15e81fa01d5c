/**
 * Group commit: callers enqueue a command and await its outcome; a loop takes what is queued
 * and commits it as ONE transaction or statement. On PGlite every statement of every request
 * shares one connection at a fixed cost each, and on PostgreSQL hot rows (a counter, the audit
 * chain head) serialize one transaction per request, so one write per request stops at a few
 * hundred a second (docs/benchmarks-log.md). While a batch runs the next one gathers, so an
 * idle loop adds no waiting and a busy one batches more; before each batch the loop lets the
 * event loop read the sockets once.
 * What it offers and who uses it: docs/architecture.md#group-commit.
 */

/** What one command of a batch came to: a value, or the error its caller gets. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** How a {@link GroupCommit} forms and runs its batches. */
export interface GroupCommitOptions<C, R> {
  /** Most commands in one batch. */
  maxBatch: number;
  /** Runs commands as one batch; returns one outcome per command, in order. */
  runBatch(commands: C[]): Promise<Array<Outcome<R>>>;
  /**
   * Runs one command alone after its batch failed as a whole. Without it, the commands of a
   * failed batch of more than one run again one by one through `runBatch`, and the command of
   * a failed batch of one gets the batch's error.
   */
  runOne?(command: C): Promise<R>;
  /**
   * False: a failed batch's error goes to every command of it, nothing runs again (for
   * idempotent writes whose callers resend). Default true: a bad command fails alone.
   */
  isolateFailures?: boolean;
  /** A command's size (rows, bound parameters); default 1. A batch weighs `maxWeight` at most. */
  weight?(command: C): number;
  /** Most weight in one batch (default unbounded); a batch always takes its first command. */
  maxWeight?: number;
  /** Commands with the same key never share a batch: a later one waits for the next. */
  key?(command: C): string;
  /** Weight that may wait at most, for {@link GroupCommit.hasRoom} (default unbounded). */
  maxQueued?: number;
  /** Batches running at once (default 1; more on a connection pool). */
  concurrency?: number;
  /** Wait this long for more commands before running a batch that is not full (default 0). */
  lingerMs?: number;
  /** Start batches at least this far apart (default 0); {@link GroupCommit.drain} does not wait. */
  minIntervalMs?: number;
  /** The error `submit` rejects with after {@link GroupCommit.close}. */
  closedError?(): Error;
}

interface Waiting<C, R> {
  command: C;
  weight: number;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** One node's group-commit loop for one kind of command. */
export class GroupCommit<C, R> {
  readonly #opts: GroupCommitOptions<C, R>;
  readonly #maxWeight: number;
  readonly #maxQueued: number;
  readonly #concurrency: number;
  #queue: Array<Waiting<C, R>> = [];
  #queuedWeight = 0;
  /** Loops alive (waiting for their next batch or running one). */
  #loops = 0;
  /** Batches being committed now. */
  #running = 0;
  #lastStart = Number.NEGATIVE_INFINITY;
  #draining = 0;
  #closed = false;
  readonly #wakers = new Set<() => void>();
  #idleWaiters: Array<() => void> = [];
  #roomWaiters: Array<{ weight: number; resolve(): void }> = [];
  /** Batches run so far (tests look at it to see batching happen). */
  batches = 0;

  constructor(opts: GroupCommitOptions<C, R>) {
    this.#opts = opts;
    this.#maxWeight = opts.maxWeight ?? Number.POSITIVE_INFINITY;
    this.#maxQueued = opts.maxQueued ?? Number.POSITIVE_INFINITY;
    this.#concurrency = Math.max(1, opts.concurrency ?? 1);
  }

  /** Weight waiting for a batch (commands when no `weight` is given). */
  get queued(): number {
    return this.#queuedWeight;
  }

  /** True while a batch is being committed. */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True when `weight` more fits under `maxQueued` (an empty queue takes anything). */
  hasRoom(weight: number): boolean {
    return this.#queuedWeight === 0 || this.#queuedWeight + weight <= this.#maxQueued;
  }

  /** Resolves when `weight` more fits; waiters are woken as batches finish. */
  whenRoom(weight: number): Promise<void> {
    if (this.hasRoom(weight)) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push({ weight, resolve }));
  }

  /**
   * Queues a command; resolves with its result once its batch committed. It does not check
   * `maxQueued`: the caller decides what a full queue means (refuse, or wait with `whenRoom`).
   */
  submit(command: C): Promise<R> {
    if (this.#closed)
      return Promise.reject(this.#opts.closedError?.() ?? new Error('The group commit is closed.'));
    return new Promise<R>((resolve, reject) => {
      const weight = this.#opts.weight?.(command) ?? 1;
      this.#queue.push({ command, weight, resolve, reject });
      this.#queuedWeight += weight;
      if (this.#loops < this.#concurrency) {
        this.#loops++;
        // A loop started from idle waits one more turn than the pause before each batch:
        // requests read in this turn and the next join its first batch. Without it, HTTP
        // intake on PGlite ran a third more, smaller batches at 16 % less throughput
        // (docs/benchmarks-log.md, 2026-12-08).
        setImmediate(() => void this.#loop());
      }
    });
  }

  /** Runs what is queued without lingering and resolves once nothing is queued or running. */
  async drain(): Promise<void> {
    this.#draining++;
    try {
      while (this.#loops > 0 || this.#queue.length) {
        for (const wake of [...this.#wakers]) wake();
        await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      }
    } finally {
      this.#draining--;
    }
  }

  /** Refuses new commands, then drains. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  async #loop(): Promise<void> {
    try {
      while (this.#queue.length) {
        // The wait first lets requests that arrived while the last batch ran be parsed and
        // join this one. On PGlite a batch is a chain of promise callbacks that never lets the
        // loop read a socket, so without it they waited for the batch after next, and batches
        // stayed smaller (HTTP intake: docs/benchmarks-log.md, 2026-11-29 10:19).
        await this.#pause();
        const batch = this.#take();
        if (batch.length === 0) break;
        this.#lastStart = performance.now();
        this.batches++;
        this.#running++;
        try {
          await this.#run(batch);
        } finally {
          this.#running--;
          this.#wakeRoomWaiters();
        }
      }
    } finally {
      this.#loops--;
      if (this.#queue.length && this.#loops < this.#concurrency) {
        this.#loops++;
        void this.#loop();
      } else if (this.#loops === 0) {
        const idle = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const resolve of idle) resolve();
      }
    }
  }

  /** One turn of the event loop, or the linger or minimum interval; cut short by a drain. */
  #pause(): Promise<void> {
    const { lingerMs = 0, minIntervalMs = 0, maxBatch } = this.#opts;
    let ms = 0;
    if (this.#draining === 0) {
      const full = this.#queue.length >= maxBatch || this.#queuedWeight >= this.#maxWeight;
      if (lingerMs > 0 && !full) ms = lingerMs;
      if (minIntervalMs > 0) ms = Math.max(ms, this.#lastStart + minIntervalMs - performance.now());
    }
    return new Promise<void>((resolve) => {
      const wake = () => {
        if (timer) clearTimeout(timer);
        else clearImmediate(immediate);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = ms > 0 ? setTimeout(wake, ms) : null;
      const immediate = ms > 0 ? undefined : setImmediate(wake);
      this.#wakers.add(wake);
    });
  }

  /** The next batch, in queue order: at most `maxBatch` commands and `maxWeight`, distinct keys. */
  #take(): Array<Waiting<C, R>> {
    const { maxBatch, key } = this.#opts;
    const queue = this.#queue;
    let weight = 0;
    let n = 0;
    if (!key) {
      while (n < queue.length && n < maxBatch && (n === 0 || weight + queue[n].weight <= this.#maxWeight))
        weight += queue[n++].weight;
      this.#queuedWeight -= weight;
      return queue.splice(0, n);
    }
    const batch: Array<Waiting<C, R>> = [];
    const rest: Array<Waiting<C, R>> = [];
    const keys = new Set<string>();
    let i = 0;
    for (; i < queue.length && batch.length < maxBatch; i++) {
      const w = queue[i];
      const k = key(w.command);
      if (keys.has(k)) {
        rest.push(w);
        continue;
      }
      if (batch.length > 0 && weight + w.weight > this.#maxWeight) break;
      keys.add(k);
      weight += w.weight;
      batch.push(w);
    }
    for (; i < queue.length; i++) rest.push(queue[i]);
    this.#queue = rest;
    this.#queuedWeight -= weight;
    return batch;
  }

  async #run(batch: Array<Waiting<C, R>>): Promise<void> {
    const { runBatch, runOne, isolateFailures = true } = this.#opts;
    let outcomes: Array<Outcome<R>>;
    try {
      outcomes = await runBatch(batch.map((w) => w.command));
    } catch (error) {
      if (process.env.BATCH_DEBUG) console.error(error);
      if (!isolateFailures || (batch.length === 1 && !runOne)) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const w of batch) {
        try {
          if (runOne) w.resolve(await runOne(w.command));
          else settle(w, (await runBatch([w.command]))[0]);
        } catch (e) {
          w.reject(e);
        }
      }
      return;
    }
    for (let i = 0; i < batch.length; i++) settle(batch[i], outcomes[i]);
  }

  #wakeRoomWaiters(): void {
    while (this.#roomWaiters.length && this.hasRoom(this.#roomWaiters[0].weight))
      this.#roomWaiters.shift()!.resolve();
  }
}

/** The typed name of one of a {@link GroupCommits}' loops: its commands `C` and results `R`. */
export interface LoopKey<C, R> {
  readonly name: string;
  /** Never set: carries the loop's types. */
  readonly __types?: (command: C) => R;
}

/** The key of the loop named `name`. */
export function loopKey<C, R>(name: string): LoopKey<C, R> {
  return Object.freeze({ name });
}

/**
 * The group-commit loops of one owner (a capability's instance), by key, each made on first
 * use; {@link drain} waits for all of them.
 */
export class GroupCommits {
  readonly #loops = new Map<LoopKey<never, unknown>, { drain(): Promise<void> }>();

  /** The loop of `key`, made from `options()` the first time. */
  of<C, R>(key: LoopKey<C, R>, options: () => GroupCommitOptions<C, R>): GroupCommit<C, R> {
    // The key carries the types its loop was made with: the map holds each key's own loop.
    const found = this.#loops.get(key) as GroupCommit<C, R> | undefined;
    if (found) return found;
    const loop = new GroupCommit(options());
    this.#loops.set(key, loop);
    return loop;
  }

  /** Runs what every loop holds and resolves when none has anything left. */
  async drain(): Promise<void> {
    await Promise.all([...this.#loops.values()].map((loop) => loop.drain()));
  }
}

function settle<C, R>(w: Waiting<C, R>, o: Outcome<R> | undefined): void {
  if (!o) w.reject(new Error('The batch returned no outcome for this command.'));
  else if (o.ok) w.resolve(o.value);
  else w.reject(o.error);
}
