import { type Kysely, sql } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import type { Db } from './database.ts';

/**
 * One step of the schema. It takes `Kysely<unknown>`, not the platform's `Database`: a
 * migration runs against the schema as the migrations before it left it, not as the code
 * describes it now, so it builds with the schema builder and `sql` and names no typed table.
 */
export interface Migration {
  up(db: Kysely<unknown>): Promise<void>;
  down?(db: Kysely<unknown>): Promise<void>;
}

/**
 * A migration contributed by a capability. Names sort globally, so each is prefixed with
 * a sequence that places it after what it depends on: `0100-org-divisions`.
 */
export type MigrationSet = Readonly<Record<string, Migration>>;

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: MigrationSet) {}
  async getMigrations() {
    return { ...this.migrations };
  }
}

async function migratorFor(db: Db, sets: MigrationSet[]): Promise<Migrator> {
  const all: Record<string, Migration> = {};
  for (const set of sets)
    for (const [name, m] of Object.entries(set)) {
      if (all[name]) throw new Error(`Two migrations are named ${name}`);
      all[name] = m;
    }
  // Name the schema of Kysely's bookkeeping tables explicitly: without it Kysely takes a
  // `kysely_migration` table in *any* schema of the database for its own, so a schema of
  // its own (DATABASE_URL with search_path, test isolation) would skip creating it.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  // Each capability numbers its migrations in a range of its own (cases 04xx, participation
  // 05xx, …), so a capability's new migration sorts before other capabilities' older ones.
  // Kysely refuses that by default ("corrupted migrations") and a database made by an
  // earlier version would not start; pending migrations still run in name order.
  return new Migrator({
    db,
    provider: new StaticProvider(all),
    migrationTableSchema: rows[0].schema,
    allowUnorderedMigrations: true,
  });
}

export interface MigrationReport {
  applied: string[];
}

/** Applies every pending migration in name order; safe with several nodes (Kysely's lock). */
export async function migrateToLatest(db: Db, sets: MigrationSet[]): Promise<MigrationReport> {
  const { error, results } = await (await migratorFor(db, sets)).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const err = new Error(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`,
    );
    (err as Error & { cause?: unknown }).cause = error;
    throw err;
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(db: Db, sets: MigrationSet[]): Promise<string[]> {
  const list = await (await migratorFor(db, sets)).getMigrations();
  return list.filter((m) => !m.executedAt).map((m) => m.name);
}
