/**
 * Autovacuum for the embedded database. PGlite is PostgreSQL in one process without its
 * background workers, so nothing ever vacuums or analyzes its tables:
 * - the planner works without statistics, estimates that a quarter of a table matches
 *   `case_id = ANY(…)`, and reads whole tables where an index lookup would do (measured on a
 *   city of a few thousand cases: the answer's duplicate read went from 4 ms to 10.5 ms per
 *   batch of 50, a sequential scan of two tables);
 * - the dead row versions every update leaves behind are never reclaimed, and tables and
 *   indexes grow without bound.
 *
 * `maintainTables` does what autovacuum would, on its default thresholds: a table is vacuumed
 * (and analyzed) once its dead rows exceed 50 + 20 % of its rows, and analyzed once the rows
 * changed since the last analysis exceed 50 + 10 %. `startMaintenance` runs it on a timer,
 * one table per pass; a pass waits its turn on PGlite's one connection like any other
 * statement, and the statements behind it wait for it (tens to a few hundred milliseconds for
 * a table of tens of thousands of rows on the 2-core benchmark machine).
 */
import { sql } from 'kysely';
import type { Db } from './storage.ts';

/** What one maintenance pass did. */
export interface MaintenanceReport {
  readonly vacuumed: readonly string[];
  readonly analyzed: readonly string[];
  readonly durationMs: number;
}

/** PostgreSQL's autovacuum defaults (autovacuum_vacuum_threshold / _scale_factor, …). */
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;

interface TableActivity {
  table: string;
  reltuples: number;
  n_dead_tup: number;
  n_mod_since_analyze: number;
}

/**
 * The work autovacuum would do now on each table of the current schema, the table furthest
 * past its threshold first.
 */
export function maintenanceNeeded(
  tables: readonly TableActivity[],
): Array<{ table: string; vacuum: boolean }> {
  const out: Array<{ table: string; vacuum: boolean; over: number }> = [];
  for (const t of tables) {
    // reltuples is -1 for a table never analyzed.
    const rows = Math.max(Number(t.reltuples), 0);
    const vacuumOver = Number(t.n_dead_tup) / (VACUUM_BASE + VACUUM_SCALE * rows);
    const analyzeOver = Number(t.n_mod_since_analyze) / (ANALYZE_BASE + ANALYZE_SCALE * rows);
    if (vacuumOver > 1 || analyzeOver > 1)
      out.push({ table: t.table, vacuum: vacuumOver > 1, over: Math.max(vacuumOver, analyzeOver) });
  }
  return out.sort((a, b) => b.over - a.over).map(({ table, vacuum }) => ({ table, vacuum }));
}

/**
 * One pass: vacuums and analyzes the tables past autovacuum's thresholds, at most `limit` of
 * them (the furthest past first). PGlite runs one statement at a time, so every other query
 * waits while a table is vacuumed: the timer takes one table per pass.
 */
export async function maintainTables(db: Db, limit = Number.POSITIVE_INFINITY): Promise<MaintenanceReport> {
  const started = performance.now();
  // Counters reach pg_stat_user_tables when the backend reports them, at most once a second
  // and only when a statement ends: ask for the report at the end of this one.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<TableActivity>`
    select s.relname as "table", c.reltuples, s.n_dead_tup, s.n_mod_since_analyze
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.schemaname = current_schema()`.execute(db);
  const vacuumed: string[] = [];
  const analyzed: string[] = [];
  for (const { table, vacuum } of maintenanceNeeded(rows).slice(0, limit)) {
    if (vacuum) {
      await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
      vacuumed.push(table);
    } else {
      await sql`analyze ${sql.table(table)}`.execute(db);
    }
    analyzed.push(table);
  }
  return { vacuumed, analyzed, durationMs: performance.now() - started };
}

export interface MaintenanceLoop {
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * Runs `maintainTables` on one table every `intervalMs` (the timer does not keep the process
 * alive). Tables pass their thresholds at sizes growing by a tenth each time, so the work
 * stays in proportion to the rows written, like autovacuum's.
 */
export function startMaintenance(
  db: Db,
  intervalMs: number,
  onPass: (outcome: { report?: MaintenanceReport; error?: unknown }) => void,
): MaintenanceLoop {
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = () => {
    if (running || stopped) return;
    running = maintainTables(db, 1)
      .then(
        (report) => onPass({ report }),
        (error) => {
          if (!stopped) onPass({ error });
        },
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
