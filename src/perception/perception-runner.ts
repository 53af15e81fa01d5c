/**
 * One app's perception at work: devices woken by `observation.latest` are evaluated in
 * batches, one batch at a time; a tick evaluates every watched device with the clock's time;
 * after a batch that raised alerts with cases, the claim loop reports them.
 */
import type { CaseEngine } from '../cases/index.ts';
import type { Db, Logger } from '../kernel/index.ts';
import { openPendingCases } from './alert-cases.ts';
import {
  EVALUATION_BATCH,
  type EvaluationContext,
  type EvaluationReport,
  evaluateDevices,
} from './evaluation.ts';

export class PerceptionRunner {
  readonly #ctx: EvaluationContext;
  readonly #engine: CaseEngine | undefined;
  readonly #pending = new Set<string>();
  #running: Promise<void> | null = null;
  #casesRunning: Promise<void> | null = null;
  #casesAgain = false;
  readonly #ticks = new Set<Promise<void>>();
  #stopped = false;
  /** Evaluations and ticks done (metrics, tests). */
  evaluations = 0;

  constructor(ctx: EvaluationContext, engine: CaseEngine | undefined) {
    this.#ctx = ctx;
    this.#engine = engine;
  }

  get #db(): Db {
    return this.#ctx.db;
  }

  get #logger(): Logger {
    return this.#ctx.logger;
  }

  /** Devices that got observations: evaluated soon, in batches. */
  wake(deviceIds: Iterable<string>): void {
    if (this.#stopped) return;
    for (const id of deviceIds) this.#pending.add(id);
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
      if (this.#pending.size > 0 && !this.#stopped) this.wake([]);
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0 && !this.#stopped) {
      const batch = [...this.#pending].slice(0, EVALUATION_BATCH);
      for (const id of batch) this.#pending.delete(id);
      try {
        this.#after(await evaluateDevices(this.#ctx, batch));
      } catch (err) {
        // The observations stay in the table: the next evaluation or tick reads them.
        this.#logger.error({ err, devices: batch.length }, 'perception: evaluation failed');
      }
    }
  }

  #after(report: EvaluationReport): void {
    this.evaluations++;
    if (report.casesPending > 0) this.openCases();
  }

  /**
   * Evaluates every device of a sensor type that has rules with the clock's time: their new
   * observations first, then a tick (absences fire, anything missed is caught up).
   */
  tickAll(): Promise<void> {
    const run = this.#tickAll();
    this.#ticks.add(run);
    return run.finally(() => this.#ticks.delete(run));
  }

  async #tickAll(): Promise<void> {
    const types = this.#ctx.catalog.sensorTypes;
    if (types.length === 0 || this.#stopped) return;
    const now = this.#ctx.clock.now();
    let after = '';
    for (;;) {
      const rows = await this.#db
        .selectFrom('datahub_device')
        .select('id')
        .where('sensor_type', 'in', types)
        .where('id', '>', after)
        .orderBy('id')
        .limit(EVALUATION_BATCH)
        .execute();
      if (rows.length === 0 || this.#stopped) break;
      this.#after(
        await evaluateDevices(
          this.#ctx,
          rows.map((r) => r.id),
          now,
        ),
      );
      after = rows[rows.length - 1]!.id;
    }
    this.openCases();
  }

  /** Reports the cases of pending alerts (no-op without the cases capability). */
  openCases(): void {
    const engine = this.#engine;
    if (!engine || this.#stopped) return;
    if (this.#casesRunning) {
      this.#casesAgain = true;
      return;
    }
    this.#casesRunning = (async () => {
      do {
        this.#casesAgain = false;
        try {
          await openPendingCases({
            db: this.#db,
            engine,
            catalog: this.#ctx.catalog,
            logger: this.#logger,
            now: () => this.#ctx.clock.now(),
          });
        } catch (err) {
          this.#logger.error({ err }, 'perception: reporting alert cases failed');
        }
      } while (this.#casesAgain && !this.#stopped);
    })().finally(() => {
      this.#casesRunning = null;
    });
  }

  /** Resolves once nothing is waiting or running (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.#running || this.#casesRunning || this.#ticks.size > 0) {
      await Promise.allSettled(this.#ticks);
      await this.#running;
      await this.#casesRunning;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }
}
