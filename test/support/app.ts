/** Builds the whole platform in-process for a test, on a given backend. */
import { type BuildAppOptions, buildApp, type OneCityApp } from '../../src/app.ts';
import { type Clock, createLogger, loadConfig, ManualClock } from '../../src/kernel/index.ts';
import { type Backend, closeTestStorage, openTestStorage } from './storage.ts';

export interface TestApp extends OneCityApp {
  clock: ManualClock;
  /** Closes the app and drops its database. */
  dispose(): Promise<void>;
}

/** A quiet logger for tests. */
export const testLogger = () => createLogger({ logLevel: 'silent', logPretty: false });

export async function buildTestApp(
  backend: Backend,
  options: Partial<BuildAppOptions> & { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const storage = await openTestStorage(backend);
  const clock = (options.clock as ManualClock) ?? new ManualClock('2026-03-02T01:00:00Z');
  const config =
    options.config ??
    loadConfig({
      env: {
        LOG_LEVEL: 'silent',
        ONECITY_SEED_DEMO: 'false',
        // Suites send hundreds of requests a minute with one token; the limit has its own tests.
        RATE_LIMIT_PER_MINUTE: '0',
        RATE_LIMIT_SERVICE_PER_MINUTE: '0',
        ...(options.env ?? {}),
      },
      file: null,
    });
  const built = await buildApp({
    background: false,
    logger: testLogger(),
    ...options,
    config,
    storage,
    clock,
  });
  return Object.assign(built, {
    clock,
    async dispose() {
      await built.close();
      await closeTestStorage(storage);
    },
  });
}
