import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../config.ts';
import { lockDataDir } from './data-dir-lock.ts';

/** The one database handle every service uses. Capabilities type their own tables. */
export type Db = Kysely<any>;

/** Which engine is behind the seam. */
export type StorageKind = 'pglite' | 'postgres';

/** An open database: the Kysely handle plus lifecycle. */
export interface Storage {
  readonly db: Db;
  readonly kind: StorageKind;
  /** Human-readable location (data dir, or a redacted URL). */
  readonly location: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
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
}

// Same value types on both engines: int8 and numeric become JS numbers (counts, sums);
// timestamps stay Date objects.
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string) => (v === null ? v : Number(v));

/** Opens PGlite (embedded) or PostgreSQL behind the same Kysely seam. */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.schema, options.poolSize ?? 10);
  return openPglite(options.dataDir ?? null);
}

async function openPglite(dataDir: string | null): Promise<Storage> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = new PGlite(dataDir ? path.join(dataDir, 'pgdata') : undefined, {
      parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
    });
    await pglite.waitReady;
  } catch (e) {
    release();
    throw e;
  }
  const db: Db = new Kysely({ dialect: new PGliteDialect({ pglite }) });
  let closed = false;
  return {
    db,
    kind: 'pglite',
    location: dataDir ? path.resolve(dataDir) : 'memory',
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(url: string, schema: string | undefined, poolSize: number): Promise<Storage> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format),
  };
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name ${schema}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`create schema if not exists ${schema}`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
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
