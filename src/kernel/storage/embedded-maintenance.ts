/**
 * Autovacuum for the embedded database. PGlite is PostgreSQL in one process without its
 * background workers, so nothing ever vacuums or analyzes its tables:
 * - the planner works without statistics, estimates that a quarter of a table matches
 *   `case_id = ANY(…)`, and reads whole tables where an index lookup would do (on a city of
 *   a few thousand cases the answer's duplicate read became a sequential scan of two tables:
 *   docs/benchmarks-log.md, 2026-11-28 23:24);
 * - the dead row versions every update leaves behind are never reclaimed, and tables and
 *   indexes grow without bound;
 * - nothing ever takes a checkpoint (a standalone backend checkpoints only when told to or at
 *   a clean shutdown), so the write-ahead log is never recycled: a million benchmark cases
 *   left more log than data in pg_wal (docs/benchmarks-log.md, 2026-11-29 02:11), and a process that is killed replays all of it at its next start.
 *
 * `maintainTables` does what autovacuum would, on its default thresholds (see
 * `maintenanceNeeded`), system catalogs included, and freezes a table whose oldest
 * transaction id is older than autovacuum_freeze_max_age (200 million) before anything
 * else. `maintainWal` checkpoints when PostgreSQL's checkpointer would with its defaults
 * (512 MB of log or 5 minutes), so pg_wal stays within about a gigabyte of recycled 16 MB
 * segments. `startMaintenance` runs both on a timer, one table per pass; a pass waits its turn on
 * PGlite's one connection like any other statement, and the statements behind it wait for it
 * (how long: docs/benchmarks-log.md, 2026-11-28 23:24).
 */
import { sql } from 'kysely';
import type { Db } from './database.ts';

/** What one maintenance pass did (tables of other schemas than the current one qualified). */
export interface MaintenanceReport {
  readonly vacuumed: readonly string[];
  readonly analyzed: readonly string[];
  /** Vacuumed with FREEZE because their oldest transaction id neared wraparound. */
  readonly frozen: readonly string[];
  /** A checkpoint was taken (see `maintainWal`). */
  readonly checkpointed: boolean;
  readonly durationMs: number;
}

/** How one timed pass went: what it did, or why it failed. */
export interface MaintenanceOutcome {
  report?: MaintenanceReport;
  error?: unknown;
}

/** PostgreSQL's autovacuum defaults (autovacuum_vacuum_threshold / _scale_factor, …). */
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;
const INSERT_BASE = 1000;
const INSERT_SCALE = 0.2;
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
const FREEZE_MAX_AGE = 200_000_000;

/**
 * When a checkpoint is due, as PostgreSQL's checkpointer decides with its defaults: after
 * about half of max_wal_size (1 GB) of log since the last one, or after checkpoint_timeout
 * (5 minutes) if anything was written. More frequent checkpoints would cost throughput: the
 * first change of each page after a checkpoint logs the whole page.
 */
export interface CheckpointLimits {
  walBytes: number;
  seconds: number;
}
export const CHECKPOINT_LIMITS: CheckpointLimits = Object.freeze({ walBytes: 512 * 2 ** 20, seconds: 300 });
/** Log written by a checkpoint itself (its record): less than this is "nothing written". */
const CHECKPOINT_RECORD_BYTES = 4096;

/** True when a checkpoint is due (see CheckpointLimits). */
export function checkpointNeeded(
  walBytesSince: number,
  secondsSince: number,
  limits: CheckpointLimits = CHECKPOINT_LIMITS,
): boolean {
  return (
    walBytesSince >= limits.walBytes ||
    (secondsSince >= limits.seconds && walBytesSince > CHECKPOINT_RECORD_BYTES)
  );
}

/**
 * Takes a checkpoint when `checkpointNeeded` says so; returns whether it did. The checkpoint
 * writes the dirty pages and lets the log segments before it be recycled (tens of
 * milliseconds after 30 MB of inserts here).
 */
export async function maintainWal(db: Db, limits: CheckpointLimits = CHECKPOINT_LIMITS): Promise<boolean> {
  const { rows } = await sql<{ since: number; age: number }>`
    select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), c.redo_lsn)::float8 as since,
           extract(epoch from now() - c.checkpoint_time)::float8 as age
    from pg_control_checkpoint() c`.execute(db);
  if (!checkpointNeeded(Number(rows[0].since), Number(rows[0].age), limits)) return false;
  await sql`checkpoint`.execute(db);
  return true;
}

/** One table's counters (pg_stat_all_tables) and the age of its oldest unfrozen id. */
export interface TableActivity {
  table: string;
  reltuples: number;
  n_dead_tup: number;
  n_ins_since_vacuum: number;
  n_mod_since_analyze: number;
  xid_age: number;
}

/** What a pass does to one table. */
export interface TableWork {
  table: string;
  vacuum: boolean;
  freeze: boolean;
}

/**
 * The work autovacuum would do now, most urgent first: tables near transaction-id wraparound
 * (frozen), then the table furthest past its threshold. Vacuum: dead rows over 50 + 20 % of
 * the table, or rows inserted since the last vacuum over 1,000 + 20 % (insert-only tables
 * need vacuums too, to mark pages all-visible and freeze old rows); analysis: changed rows
 * over 50 + 10 %.
 */
export function maintenanceNeeded(tables: readonly TableActivity[]): TableWork[] {
  const out: Array<TableWork & { over: number }> = [];
  for (const t of tables) {
    // reltuples is -1 for a table never analyzed.
    const rows = Math.max(Number(t.reltuples), 0);
    const freeze = Number(t.xid_age) > FREEZE_MAX_AGE;
    const vacuumOver = Math.max(
      Number(t.n_dead_tup) / (VACUUM_BASE + VACUUM_SCALE * rows),
      Number(t.n_ins_since_vacuum) / (INSERT_BASE + INSERT_SCALE * rows),
    );
    const analyzeOver = Number(t.n_mod_since_analyze) / (ANALYZE_BASE + ANALYZE_SCALE * rows);
    if (freeze || vacuumOver > 1 || analyzeOver > 1)
      out.push({
        table: t.table,
        vacuum: freeze || vacuumOver > 1,
        freeze,
        over: freeze ? Number.POSITIVE_INFINITY : Math.max(vacuumOver, analyzeOver),
      });
  }
  return out.sort((a, b) => b.over - a.over).map(({ table, vacuum, freeze }) => ({ table, vacuum, freeze }));
}

/**
 * One pass: vacuums and analyzes the tables past autovacuum's thresholds, system catalogs
 * included, at most `limit` of them (the most urgent first). PGlite runs one statement at a
 * time, so every other query waits while a table is vacuumed: the timer takes one table per
 * pass.
 */
export async function maintainTables(db: Db, limit = Number.POSITIVE_INFINITY): Promise<MaintenanceReport> {
  const started = performance.now();
  // Counters reach pg_stat_all_tables when the backend reports them, at most once a second
  // and only when a statement ends: ask for the report at the end of this one.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<TableActivity>`
    select case when s.schemaname = current_schema() then s.relname
                else s.schemaname || '.' || s.relname end as "table",
           c.reltuples, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze,
           age(c.relfrozenxid) as xid_age
    from pg_stat_all_tables s join pg_class c on c.oid = s.relid
    where c.relkind in ('r', 'm')
      and s.schemaname not in ('information_schema', 'pg_toast')
      and s.schemaname not like 'pg_temp%'`.execute(db);
  const vacuumed: string[] = [];
  const analyzed: string[] = [];
  const frozen: string[] = [];
  for (const { table, vacuum, freeze } of maintenanceNeeded(rows).slice(0, limit)) {
    if (freeze) await sql`vacuum (freeze, analyze) ${sql.table(table)}`.execute(db);
    else if (vacuum) await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
    else await sql`analyze ${sql.table(table)}`.execute(db);
    if (vacuum) vacuumed.push(table);
    if (freeze) frozen.push(table);
    analyzed.push(table);
  }
  return { vacuumed, analyzed, frozen, checkpointed: false, durationMs: performance.now() - started };
}

export interface MaintenanceLoop {
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * Runs `maintainTables` on one table, then `maintainWal`, every `intervalMs` (the timer does not keep the process
 * alive). Tables pass their thresholds at sizes growing by a tenth each time, so the work
 * stays in proportion to the rows written, like autovacuum's.
 */
export function startMaintenance(
  db: Db,
  intervalMs: number,
  onPass: (outcome: MaintenanceOutcome) => void,
): MaintenanceLoop {
  let running: Promise<void> | null = null;
  let stopped = false;
  // A listener that throws must not end the process as an unhandled rejection.
  const tell = (outcome: MaintenanceOutcome) => {
    try {
      onPass(outcome);
    } catch {
      // The listener's own failure: nothing to do about it here.
    }
  };
  const pass = () => {
    if (running || stopped) return;
    // The checkpoint does not depend on the table work: a table that cannot be vacuumed must
    // not let the log grow.
    running = (async () => {
      const outcome: MaintenanceOutcome = {};
      try {
        outcome.report = await maintainTables(db, 1);
      } catch (error) {
        outcome.error = error;
      }
      try {
        const started = performance.now();
        const checkpointed = await maintainWal(db);
        if (outcome.report)
          outcome.report = {
            ...outcome.report,
            checkpointed,
            durationMs: outcome.report.durationMs + performance.now() - started,
          };
      } catch (error) {
        outcome.error ??= error;
      }
      if (!(stopped && outcome.error)) tell(outcome);
    })().finally(() => {
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
