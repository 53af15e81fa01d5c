/**
 * Group commit of single-entity creations. `POST /entities` carries one entity; on the
 * embedded database every statement queues on one connection and pays a fixed cost before
 * it does any work (docs/benchmarks-log.md, "NGSI-LD creation"), so concurrent creations that arrive while a write is in flight
 * wait and then go in together, as one statement ({@link createEntitiesAtomically}), through
 * the kernel's group commit (docs/architecture.md#group-commit). A lone request is written
 * on the next turn of the event loop (no lingering), and each caller's promise settles only
 * after its row is committed. If a shared statement fails, its creations are retried one
 * by one so that only the faulty one reports the error.
 */
import { type Db, GroupCommit } from '../kernel/index.ts';
import { createEntitiesAtomically, creationParameters, type EntityCreation } from './entity-store.ts';

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
  readonly #commit: GroupCommit<EntityCreation, boolean>;

  constructor(o: EntityCreateQueueOptions) {
    this.#commit = new GroupCommit<EntityCreation, boolean>({
      maxBatch: o.maxBatch ?? 256,
      weight: creationParameters,
      maxWeight: MAX_PARAMETERS,
      // One statement cannot insert an id twice: a repeated id waits for the next one.
      key: (c) => c.entity.id,
      concurrency: o.concurrency,
      runBatch: async (creations) => {
        const created = await createEntitiesAtomically(o.db, creations);
        return creations.map((c) => ({ ok: true, value: created.has(c.entity.id) }));
      },
    });
  }

  /** Creates one entity; resolves true when created, false when its id exists. */
  create(creation: EntityCreation): Promise<boolean> {
    return this.#commit.submit(creation);
  }
}
