/**
 * One "server process" for the exactly-once scheduler test: its own storage pool and
 * scheduler on a shared PostgreSQL schema. Prints `ready`, waits for `go` on stdin so every
 * process starts polling at the same moment, runs due jobs with `LOOPS` concurrent pollers
 * until none is left, prints `{"node": …, "ran": n}` and exits.
 *
 * Env: DATABASE_URL, SCHEMA, NODE_ID, LOOPS (default 2).
 */
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { createLogger, createScheduler, openStorage, systemClock } from '../../src/kernel/index.ts';

const { DATABASE_URL, SCHEMA, NODE_ID = `worker-${process.pid}` } = process.env;
const loops = Number(process.env.LOOPS ?? 2);
if (!DATABASE_URL || !SCHEMA) throw new Error('DATABASE_URL and SCHEMA are required');

const storage = await openStorage({ databaseUrl: DATABASE_URL, schema: SCHEMA, poolSize: loops + 1 });
const scheduler = createScheduler({
  db: storage.db,
  clock: systemClock,
  logger: createLogger({ logLevel: 'silent', logPretty: false }),
  nodeId: NODE_ID,
});
scheduler.handle('count', async (job, trx) => {
  await trx
    .withTables<{ firings: { job_id: number; node: string } }>()
    .insertInto('firings')
    .values({ job_id: job.id, node: NODE_ID })
    .execute();
  // Hold the row lock a moment so the other process really competes for the same jobs.
  await sql`select pg_sleep(0.002)`.execute(trx);
});

await storage.ping();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const counts = await Promise.all(Array.from({ length: loops }, () => scheduler.runDue(10_000)));
const ran = counts.reduce((a, b) => a + b, 0);
process.stdout.write(`${JSON.stringify({ node: NODE_ID, ran })}\n`);
await storage.close();
