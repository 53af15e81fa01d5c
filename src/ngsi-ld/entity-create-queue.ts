/**
 * Group commit of single-entity creations. `POST /entities` carries one entity; on the
 * embedded database every statement queues on one connection and pays a fixed cost before
 * it does any work (docs/benchmarks-log.md, "NGSI-LD creation"), so concurrent creations that arrive while a write is in flight
 * wait and then go in together, as one statement ({@link createEntitiesAtomically}). A
 * lone request is written at once (no lingering), and each caller's promise settles only
 * after its row is committed. If a shared statement fails, its creations are retried one
 * by one so that only the faulty one reports the error.
 */
import type { Db } from '../kernel/index.ts';
import { createEntitiesAtomically, creationParameters, type EntityCreation } from './entity-store.ts';

interface Waiting {
  creation: EntityCreation;
  resolve(created: boolean): void;
  reject(error: unknown): void;
}

export interface EntityCreateQueueOptions {
  db: Db;
  /** Statements in flight at most (1 on PGlite's single connection; more on a pool). */
  concurrency: number;
  /** Entities per statement at most. */
  maxBatch?: number;
}

/** PostgreSQL allows 65,535 bound parameters; stay well below. */
const MAX_PARAMETERS = 30_000;

/** Queues creations and writes them in shared statements. */
export class EntityCreateQueue {
  readonly #queue: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;
  readonly #maxBatch: number;

  constructor(private readonly o: EntityCreateQueueOptions) {
    this.#maxBatch = o.maxBatch ?? 256;
  }

  /** Creates one entity; resolves true when created, false when its id exists. */
  create(creation: EntityCreation): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ creation, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Writes on the next turn of the event loop rather than now: PGlite runs a statement
   * without yielding to I/O, so requests already received in this turn would otherwise
   * each get their own statement. `setImmediate` lets this turn's requests join the batch
   * without any timed lingering.
   */
  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.o.concurrency) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.o.concurrency && this.#queue.length) {
      const batch = this.#take();
      this.#inFlight++;
      void this.#write(batch).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  /** The next batch: distinct ids (a repeated id waits for the next one), bounded in size. */
  #take(): Waiting[] {
    const batch: Waiting[] = [];
    const ids = new Set<string>();
    let parameters = 0;
    const rest: Waiting[] = [];
    for (const w of this.#queue) {
      const id = w.creation.entity.id;
      const p = creationParameters(w.creation);
      const full = batch.length >= this.#maxBatch || (batch.length > 0 && parameters + p > MAX_PARAMETERS);
      if (full || ids.has(id)) {
        rest.push(w);
        continue;
      }
      ids.add(id);
      parameters += p;
      batch.push(w);
    }
    this.#queue.length = 0;
    this.#queue.push(...rest);
    return batch;
  }

  async #write(batch: Waiting[]): Promise<void> {
    try {
      const created = await createEntitiesAtomically(
        this.o.db,
        batch.map((w) => w.creation),
      );
      for (const w of batch) w.resolve(created.has(w.creation.entity.id));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const w of batch)
        await createEntitiesAtomically(this.o.db, [w.creation]).then(
          (created) => w.resolve(created.has(w.creation.entity.id)),
          w.reject,
        );
    }
  }
}
