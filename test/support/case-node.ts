/**
 * One OneCity server process for the cases exactly-once test: the whole case engine on a
 * shared PostgreSQL schema with its scheduler. Prints `ready` once built, starts polling
 * (every 50 ms) on `go`, closes and exits on `stop`.
 *
 * Env: DATABASE_URL, SCHEMA, NODE_ID; ESCALATE_AFTER_MINUTES (default 0.01 = 0.6 s).
 */
import { createInterface } from 'node:readline';
import { buildApp } from '../../src/app.ts';
import { auditCapability } from '../../src/audit/index.ts';
import { createCasesCapability, DEFAULT_CASE_SETTINGS } from '../../src/cases/index.ts';
import { identityCapability } from '../../src/identity/index.ts';
import { createLogger, loadConfig, openStorage } from '../../src/kernel/index.ts';
import { orgCapability } from '../../src/org/index.ts';

const { DATABASE_URL, SCHEMA } = process.env;
if (!DATABASE_URL || !SCHEMA) throw new Error('DATABASE_URL and SCHEMA are required');
const escalateAfterMinutes = Number(process.env.ESCALATE_AFTER_MINUTES ?? 0.01);

const storage = await openStorage({ databaseUrl: DATABASE_URL, schema: SCHEMA, poolSize: 4 });
const config = loadConfig({
  env: { LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false', SCHEDULER_POLL_MS: '50' },
  file: null,
});
const built = await buildApp({
  config,
  storage,
  logger: createLogger({ logLevel: 'silent', logPretty: false }),
  background: false,
  capabilities: [
    identityCapability,
    auditCapability,
    orgCapability,
    createCasesCapability({ settings: { ...DEFAULT_CASE_SETTINGS, escalateAfterMinutes } }),
  ],
});
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === 'go') built.kernel.scheduler.start(config.schedulerPollMs);
  if (line.trim() === 'stop') break;
}
lines.close();
await built.close();
await storage.close();
process.stdout.write(`${JSON.stringify({ node: process.env.NODE_ID ?? process.pid, stopped: true })}\n`);
