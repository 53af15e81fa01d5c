/**
 * Queued intake (`OPEN311_INTAKE_MODE=queued`): posts are answered with a token once their
 * report is stored; this worker turns queued reports into cases. Each report is filed with
 * its token as the engine's client request id, so a report filed twice (a node died after
 * the case was created but before the report was marked) still yields one case. Several
 * nodes share the queue: claims skip rows locked by another node.
 *
 * While posts keep arriving, the worker gives way to them: after each batch it pauses as
 * long as the batch took (at most `MAX_PAUSE_MS`), so accepting reports keeps at least
 * half of the node's database time (on PGlite, its only connection and thread) and a burst
 * builds a backlog that is filed at full speed once it is over.
 */
import { reportCase } from '../cases/index.ts';
import type { Participation } from './participation-context.ts';
import { claimQueued, markFailed, markFiled } from './report-store.ts';

const BATCH = 50;
/** A small batch while posts are arriving: a post waits at most one short filing transaction. */
const BUSY_BATCH = 8;
const MAX_ATTEMPTS = 5;
const STALE_MS = 60_000;
const MAX_PAUSE_MS = 250;
/** Posts seen within this long count as "posts are arriving". */
const BUSY_WINDOW_MS = 100;

export class ReportQueueWorker {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(
    private readonly p: Participation,
    private readonly options: {
      pollMs?: number;
    } = {},
  ) {}

  get pollMs(): number {
    return this.options.pollMs ?? 1000;
  }

  /** Starts polling (for reports other nodes queued or left behind). */
  start(): void {
    this.#stopped = false;
    this.#schedule(this.pollMs);
  }

  /** Files what is queued now; resolves when the queue was empty once. */
  kick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #postsArriving(): boolean {
    return performance.now() - this.p.intakeLoad.lastPostAt < BUSY_WINDOW_MS;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.kick().finally(() => this.#schedule(this.pollMs));
    }, ms);
    this.#timer.unref();
  }

  async #drain(): Promise<void> {
    const { kernel } = this.p;
    do {
      this.#again = false;
      for (;;) {
        if (this.#stopped) return;
        const now = kernel.clock.now();
        let claimed: Awaited<ReturnType<typeof claimQueued>>;
        const asked = this.#postsArriving() ? BUSY_BATCH : BATCH;
        try {
          claimed = await claimQueued(kernel.db, asked, now, new Date(now.getTime() - STALE_MS));
        } catch (err) {
          kernel.logger.error({ err }, 'participation: cannot claim queued reports');
          return;
        }
        // Fewer than asked: the queue is drained up to this claim, so `auto` intake files
        // inside the POST again (the posts already queued are filed with this batch).
        if (claimed.length < asked) this.p.intakeLoad.backlog = false;
        if (claimed.length === 0) break;
        // Submitted together, the claimed reports become cases in one intake transaction
        // (the case engine group-commits them, in claim order).
        const started = performance.now();
        const filed: Array<{ token: string; caseId: string; caseNumber: string }> = [];
        await Promise.all(
          claimed.map(async (row) => {
            try {
              const { case: c } = await reportCase(this.p.engine(), row.principal, row.intake!);
              filed.push({ token: row.token, caseId: c.id, caseNumber: c.number });
            } catch (err) {
              kernel.logger.warn({ err, token: row.token }, 'participation: filing a queued report failed');
              await markFailed(
                kernel.db,
                row.token,
                (err as Error).message,
                row.attempts >= MAX_ATTEMPTS,
              ).catch(() => {});
            }
          }),
        );
        try {
          await markFiled(kernel.db, filed, kernel.clock.now());
        } catch (err) {
          // The cases exist; the reports stay claimed and are filed again once stale, which
          // finds the same cases by their tokens (the client request id).
          kernel.logger.error({ err }, 'participation: cannot mark filed reports');
          return;
        }
        const took = performance.now() - started;
        if (this.#postsArriving()) await new Promise((r) => setTimeout(r, Math.min(took, MAX_PAUSE_MS)));
      }
    } while (this.#again);
  }
}
