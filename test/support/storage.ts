/**
 * Test storage: every storage-touching suite runs on PGlite and, when TEST_DATABASE_URL is
 * set, on PostgreSQL too. PostgreSQL suites get a fresh schema each, so files run in
 * parallel without seeing each other.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import pg from 'pg';
import { openStorage, type Storage } from '../../src/kernel/index.ts';

export type Backend = 'pglite' | 'postgres';

/** The backends this run covers. */
export function testBackends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Opens an isolated database on a backend; close it with {@link closeTestStorage}. */
export async function openTestStorage(backend: Backend): Promise<Storage & { schema?: string }> {
  if (backend === 'pglite') return openStorage({ dataDir: null });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const storage = await openStorage({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 5 });
  return Object.assign(storage, { schema });
}

/**
 * Closes the storage and drops a PostgreSQL test schema. Under the test runner
 * (scripts/run-tests.mjs) the drop waits for the end of the run: the schema's name goes to
 * the runner's list. Kysely's migrator reads the catalog of every schema of the database,
 * and a schema that another test file drops meanwhile makes that read fail ("schema … does
 * not exist").
 */
export async function closeTestStorage(storage: Storage & { schema?: string }): Promise<void> {
  await storage.close();
  const later = process.env.ONECITY_TEST_SCHEMA_LOG;
  if (storage.schema && later) {
    appendFileSync(later, `${storage.schema}\n`);
    return;
  }
  if (storage.schema) {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(`drop schema if exists ${storage.schema} cascade`);
    } finally {
      await client.end();
    }
  }
}
