import { ConfigError } from '../kernel/index.ts';

/** The settings of the operations capability. */
export interface OperationsSettings {
  /** A bearer token that opens `/metrics` without an account (`METRICS_TOKEN`); null: none. */
  readonly metricsToken: string | null;
  /** How long `/metrics` reuses its database figures (`METRICS_CACHE_SECONDS`). */
  readonly metricsCacheSeconds: number;
}

/** The settings this capability reads. */
export const OPERATIONS_SETTING_KEYS = ['METRICS_TOKEN', 'METRICS_CACHE_SECONDS'] as const;

/**
 * Reads `METRICS_TOKEN` (at least 32 characters, no spaces: a scraper sends it as
 * `Authorization: Bearer …`) and `METRICS_CACHE_SECONDS` (0–300, default 5).
 */
export function operationsSettingsFromEnv(env: Record<string, string | undefined>): OperationsSettings {
  const token = env.METRICS_TOKEN?.trim() || null;
  if (token && (token.length < 32 || /\s/.test(token)))
    throw new ConfigError(
      'METRICS_TOKEN',
      'must be at least 32 characters without spaces (e.g. openssl rand -hex 32)',
    );
  const rawCache = env.METRICS_CACHE_SECONDS?.trim();
  const cache = rawCache ? Number(rawCache) : 5;
  if (!Number.isFinite(cache) || cache < 0 || cache > 300)
    throw new ConfigError(
      'METRICS_CACHE_SECONDS',
      `must be a number of seconds from 0 to 300 (got ${JSON.stringify(rawCache)})`,
    );
  return Object.freeze({ metricsToken: token, metricsCacheSeconds: cache });
}
