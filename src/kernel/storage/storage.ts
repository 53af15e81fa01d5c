import { createHash } from 'node:crypto';
import path from 'node:path';
import { PGlite, types as pgliteTypes, protocol } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { DEFAULT_MAINTENANCE_SECONDS, redactUrl } from '../config.ts';
import type { Db } from './database.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { type MaintenanceOutcome, startMaintenance } from './embedded-maintenance.ts';
import { PreparingPGliteDialect, type StatementNamer } from './pglite-prepared.ts';

export type { Db } from './database.ts';

/** Which engine is behind the seam. */
export type StorageKind = 'pglite' | 'postgres';

/** An open database: the Kysely handle plus lifecycle. */
export interface Storage {
  readonly db: Db;
  readonly kind: StorageKind;
  /** Human-readable location (data dir, or a redacted URL). */
  readonly location: string;
  /** The embedded database's files on disk (for a backup); null on PostgreSQL and in memory. */
  readonly files: EmbeddedFiles | null;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** PGlite's cluster directory, and a way to read it while it cannot change. */
export interface EmbeddedFiles {
  /** The cluster directory (`<DATA_DIR>/pgdata`). */
  readonly dir: string;
  /**
   * Runs `read` once any open transaction has ended and a checkpoint has written every
   * change to the files; no statement runs until `read` returns. PGlite has no background
   * process, so the directory stays exactly as the checkpoint left it: a consistent copy.
   */
  whileStill<T>(read: () => Promise<T>): Promise<T>;
}

export interface OpenStorageOptions {
  /** PostgreSQL connection string; when absent PGlite is used. */
  databaseUrl?: string | null;
  /** PGlite directory; `null` for an in-memory database (tests). */
  dataDir?: string | null;
  /** PostgreSQL schema to use (created if missing); tests isolate themselves with it. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Hot statements as named prepared statements (default true; see `preparedStatementNames`). */
  preparedStatements?: boolean;
  /**
   * PGlite only: seconds between maintenance passes (autovacuum's work, which the embedded
   * engine lacks; see embedded-maintenance.ts). Default 10; 0 turns it off.
   */
  maintenanceSeconds?: number;
  /** Told after each maintenance pass: what it did, or why it failed. */
  onMaintenance?: (outcome: MaintenanceOutcome) => void;
}

// Same value types on both engines, whatever the process time zone:
// - int8 and numeric (and their arrays) become JS numbers: counts, sums, averages;
// - timestamptz becomes a Date; timestamp (without zone) is read as UTC;
// - date stays a 'YYYY-MM-DD' string (a calendar day, not an instant);
// - interval stays PostgreSQL's text ('01:30:00'); bytea becomes a Buffer; jsonb a value.
const OID = {
  BYTEA: 17,
  INT8: 20,
  TEXT_ARRAY: 1009,
  INT8_ARRAY: 1016,
  DATE: 1082,
  TIMESTAMP: 1114,
  INTERVAL: 1186,
  NUMERIC_ARRAY: 1231,
  NUMERIC: 1700,
} as const;
const toNumber = (v: string) => (v === null ? v : Number(v));
const identity = (v: string) => v;
const TIMESTAMP_TEXT = /^\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/;
const utcTimestamp = (v: string) =>
  v === null ? v : TIMESTAMP_TEXT.test(v) ? new Date(`${v.replace(' ', 'T')}Z`) : new Date(v);
const deepMap = (v: unknown, f: (x: string) => unknown): unknown =>
  Array.isArray(v) ? v.map((x) => deepMap(x, f)) : v === null ? null : f(v as string);

const pgliteParsers: Record<number, (v: string) => unknown> = {
  [OID.INT8]: toNumber,
  [OID.NUMERIC]: toNumber,
  [OID.INT8_ARRAY]: (v) => pgliteTypes.arrayParser(v, toNumber, OID.INT8_ARRAY),
  [OID.NUMERIC_ARRAY]: (v) => pgliteTypes.arrayParser(v, toNumber, OID.NUMERIC_ARRAY),
  [OID.DATE]: identity,
  [OID.TIMESTAMP]: utcTimestamp,
  [OID.INTERVAL]: identity,
  [OID.BYTEA]: (v) => Buffer.from(v.slice(2), 'hex'),
};

const pgTextArray = (v: string): unknown =>
  (pg.types.getTypeParser as (oid: number) => (v: string) => unknown)(OID.TEXT_ARRAY)(v);

const pgParsers: Record<number, (v: string) => unknown> = {
  [OID.INT8]: toNumber,
  [OID.NUMERIC]: toNumber,
  [OID.INT8_ARRAY]: (v) => deepMap(pgTextArray(v), toNumber),
  [OID.NUMERIC_ARRAY]: (v) => deepMap(pgTextArray(v), toNumber),
  [OID.DATE]: identity,
  [OID.TIMESTAMP]: utcTimestamp,
  [OID.INTERVAL]: identity,
};

/** Statements worth a plan of their own: queries and data changes (not BEGIN, SET…). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** `select *`, `t.*`, `returning *`: result columns a later migration could change. */
const RESULT_MAY_CHANGE = /\*\s+from|returning\s+\*|\.\*/i;
/** How often a statement's text must have run before it is prepared (see below). */
const HOT_AFTER = 3;
/** Most statement texts prepared by one storage (each connection keeps its own). */
const MOST_PREPARED = 400;

/**
 * Names for the statements that run again and again. A statement with a name goes through
 * Parse once per connection (node-postgres; on PGlite `PreparingPGliteDialect`) and is then
 * only bound and executed, and the server keeps its plan: the parsing and planning of a group-committed batch's large
 * statements (CTEs of several inserts over JSON) stay off the database's CPU. A text
 * becomes hot after HOT_AFTER runs; at most MOST_PREPARED texts get a name, so statements
 * built with literal values (each text seen once) never fill the server's memory. Only
 * statements whose result columns cannot change under them are named (`select *` and
 * `returning *` would fail as "cached plan must not change result type" after a column is
 * added); the server plans a named statement again when a table it reads changes.
 */
function preparedStatementNames(): StatementNamer {
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  return (text) => {
    const name = names.get(text);
    if (name) return name;
    if (names.size >= MOST_PREPARED || !PREPARABLE.test(text) || RESULT_MAY_CHANGE.test(text)) return null;
    const n = (seen.get(text) ?? 0) + 1;
    if (n < HOT_AFTER) {
      if (seen.size > 10_000) seen.clear();
      seen.set(text, n);
      return null;
    }
    seen.delete(text);
    const fresh = `onecity_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, fresh);
    return fresh;
  };
}

/** Makes a pool client send hot statements (see `preparedStatementNames`) by name. */
function prepareHotStatements(client: pg.PoolClient, nameOf: StatementNamer): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && callback === undefined) {
      const name = nameOf(config);
      if (name) return query({ name, text: config, values });
    }
    return query(config, values, callback);
  };
}

/** Opens PGlite (embedded) or PostgreSQL behind the same Kysely seam. */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  const prepared = options.preparedStatements ?? true;
  if (options.databaseUrl)
    return openPostgres(options.databaseUrl, options.schema, options.poolSize ?? 10, prepared);
  return openPglite({ ...options, preparedStatements: prepared });
}

async function openPglite(options: OpenStorageOptions): Promise<Storage> {
  const dataDir = options.dataDir ?? null;
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  let pglite: PGlite;
  try {
    // Options go in the one-argument form: `new PGlite(undefined, options)` ignores them.
    pglite = new PGlite({
      ...(dataDir ? { dataDir: path.join(dataDir, 'pgdata') } : {}),
      parsers: pgliteParsers,
      // The index of intake's duplicate probe (migration 0462) mixes scalar columns with a
      // point; PostgreSQL has the extension in contrib, PGlite only when loaded here.
      extensions: { btree_gist },
    });
    await pglite.waitReady;
    // A new WAL segment is 16 MB, and PostgreSQL fills it with zeros first. In memory (tests,
    // benchmarks) PGlite's file system grows and copies the file many times over: a pause
    // every few thousand cases (docs/benchmarks-log.md, 2026-11-28 20:56). On disk it is 16 MB written for
    // nothing: PGlite runs with fsync off, so pre-zeroed segments buy no durability.
    await pglite.exec('set wal_init_zero = off');
    // PGlite's pages are in memory or in the operating system's cache: a random read costs
    // about what a sequential one does. At the default (4) the planner preferred whole-table
    // scans and hash joins to index lookups for a batch's few dozen cases.
    await pglite.exec('set random_page_cost = 1.1');
  } catch (e) {
    release();
    throw e;
  }
  const db: Db = new Kysely({
    dialect:
      options.preparedStatements === false
        ? new PGliteDialect({ pglite })
        : new PreparingPGliteDialect(pglite, preparedStatementNames()),
  });
  const seconds = options.maintenanceSeconds ?? DEFAULT_MAINTENANCE_SECONDS;
  const onPass = options.onMaintenance ?? (() => {});
  const maintenance = seconds > 0 ? startMaintenance(db, seconds * 1000, onPass) : null;
  let closed = false;
  const files: EmbeddedFiles | null = dataDir
    ? {
        dir: path.resolve(dataDir, 'pgdata'),
        // PGlite's transaction lock, then its query lock: the order its own `query` takes
        // them, so no caller can hold one and wait for the other. Inside them nothing else
        // runs, so the checkpoint goes through the protocol rather than `query` (which
        // would wait for the locks held here).
        whileStill: (read) =>
          pglite._runExclusiveTransaction(() =>
            pglite._runExclusiveQuery(async () => {
              await pglite.execProtocol(protocol.serialize.query('checkpoint'));
              return read();
            }),
          ),
      }
    : null;
  return {
    db,
    kind: 'pglite',
    location: dataDir ? path.resolve(dataDir) : 'memory',
    files,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await maintenance?.stop();
        await db.destroy();
        // Kysely closes PGlite only if it ever ran a query; close it in any case.
        if (!pglite.closed) await pglite.close();
      } finally {
        release();
      }
    },
  };
}

/** How long opening PostgreSQL waits for the server to accept a connection. */
const CONNECT_TIMEOUT_MS = 30_000;

async function openPostgres(
  url: string,
  schema: string | undefined,
  poolSize: number,
  preparedStatements: boolean,
): Promise<Storage> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      pgParsers[oid] ?? pg.types.getTypeParser(oid, format),
  };
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  // One connection before the pool: a server that refuses or does not answer fails the
  // start here, naming DATABASE_URL, rather than at the first query (or never, since the
  // pool itself waits for a connection without limit).
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new Error(`DATABASE_URL ${redactUrl(url)}: cannot connect: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    if (schema) await client.query(`create schema if not exists ${schema}`);
  } finally {
    await client.end();
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // JIT compilation off, set on each new connection (a startup option would be refused by
  // some poolers and overridden by an `options` in the URL): it took longer than it saved
  // on every query measured here, most of all the indicators over a million cases
  // (docs/benchmarks-log.md, 2026-11-29 02:11).
  const prepared = preparedStatementNames();
  pool.on('connect', (client) => {
    client.query('set jit = off').catch(() => {
      // A server without JIT has nothing to turn off.
    });
    if (preparedStatements) prepareHotStatements(client, prepared);
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Readiness reports outages.
  });
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    kind: 'postgres',
    location: redactUrl(url) + (schema ? ` (schema ${schema})` : ''),
    files: null,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
