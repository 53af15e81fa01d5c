/**
 * Group commit for the case engine. On PGlite every statement of every request shares one
 * connection (at a fixed cost each: docs/benchmarks-log.md), and on PostgreSQL every case change queues on the same
 * two rows (the day's case-number counter and the audit chain head), so one transaction
 * per request cannot go beyond a few hundred changes a second. Requests therefore enqueue a
 * command and await its outcome; one loop per engine takes everything queued (up to
 * `maxBatch`) and runs it as ONE transaction of set-based statements. While a batch runs,
 * the next one gathers, so an idle engine adds no waiting and a busy one batches more;
 * before each batch the loop lets the event loop read the sockets once.
 *
 * If the batch transaction fails as a whole, each of its commands runs again alone, so a
 * bad command fails with its own error and the others succeed.
 */

/** What one command of a batch came to: a value, or the error its caller gets. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<C, R> {
  /** Most commands in one transaction. */
  maxBatch: number;
  /** Runs commands as one transaction; returns one outcome per command, in order. */
  runBatch(commands: C[]): Promise<Array<Outcome<R>>>;
  /** Runs one command alone (after its batch failed as a whole). */
  runOne(command: C): Promise<R>;
}

interface Waiting<C, R> {
  command: C;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** One node's group-commit loop for one kind of command. */
export class GroupCommit<C, R> {
  readonly #opts: GroupCommitOptions<C, R>;
  #queue: Array<Waiting<C, R>> = [];
  #running = false;
  /** Transactions run so far (tests look at it to see batching happen). */
  batches = 0;

  constructor(opts: GroupCommitOptions<C, R>) {
    this.#opts = opts;
  }

  /** Resolves once nothing is queued or running (the capability waits for it on stop). */
  async idle(): Promise<void> {
    while (this.#running || this.#queue.length) await new Promise((r) => setTimeout(r, 5));
  }

  /** Queues a command; resolves with its result once its batch committed. */
  submit(command: C): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ command, resolve, reject });
      if (!this.#running) {
        this.#running = true;
        // Requests parsed in the same turn of the event loop join the first batch.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length) {
        // One turn of the event loop first: requests that arrived while the last batch ran
        // are parsed and join this one. On PGlite a batch is a chain of promise callbacks
        // that never lets the loop read a socket, so without the turn they waited for the
        // batch after next, and batches stayed smaller (HTTP intake: docs/benchmarks-log.md,
        // 2026-11-29 10:19).
        await new Promise((r) => setImmediate(r));
        const batch = this.#queue.splice(0, this.#opts.maxBatch);
        this.batches++;
        let outcomes: Array<Outcome<R>> | null = null;
        try {
          outcomes = await this.#opts.runBatch(batch.map((w) => w.command));
        } catch (e) {
          if (process.env.BATCH_DEBUG) console.error(e);
          outcomes = null;
        }
        if (outcomes) {
          batch.forEach((w, i) => {
            const o = outcomes[i];
            if (o.ok) w.resolve(o.value);
            else w.reject(o.error);
          });
        } else {
          for (const w of batch) {
            try {
              w.resolve(await this.#opts.runOne(w.command));
            } catch (error) {
              w.reject(error);
            }
          }
        }
      }
    } finally {
      this.#running = false;
      if (this.#queue.length) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    }
  }
}
