/** Settings of the NGSI-LD broker, read from the environment and validated at boot. */
import { ConfigError } from '../kernel/index.ts';

export interface NgsiLdSettings {
  /** Anonymous callers may read (GET) when true; otherwise reads need `device.read`. */
  publicRead: boolean;
  /** A folder with an `index.json` (URL → file) extending the offline context store. */
  contextDir: string | null;
  /** Hosts (`host` or `host:port`) remote @contexts may be fetched from; empty: none. */
  remoteContextHosts: string[];
  remoteContextTimeoutMs: number;
  remoteContextMaxBytes: number;
  /** Timeout of one notification POST. */
  notificationTimeoutMs: number;
  /** Notification endpoints may be loopback, private or link-local addresses. */
  allowPrivateEndpoints: boolean;
  /** Record attribute instances of every write through the API (temporal history). */
  history: boolean;
  /** Largest `limit` a query may ask for; more is a 403 TooManyResults. */
  maxLimit: number;
  /** Longest a statement of an entity or temporal query may run on PostgreSQL (PGlite ignores it). */
  queryTimeoutMs: number;
}

export const DEFAULT_NGSI_LD_SETTINGS: NgsiLdSettings = {
  publicRead: false,
  contextDir: null,
  remoteContextHosts: [],
  remoteContextTimeoutMs: 3000,
  remoteContextMaxBytes: 256 * 1024,
  notificationTimeoutMs: 5000,
  allowPrivateEndpoints: false,
  history: true,
  maxLimit: 1000,
  queryTimeoutMs: 10_000,
};

function bool(env: Record<string, string | undefined>, key: string, fallback: boolean): boolean {
  const v = env[key];
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(key, `must be true or false (got ${v}).`);
}

function int(
  env: Record<string, string | undefined>,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = env[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(key, `must be an integer between ${min} and ${max} (got ${v}).`);
  return n;
}

/** The names of the broker's settings. */
export const NGSI_LD_SETTING_KEYS: readonly string[] = [
  'NGSI_LD_PUBLIC_READ',
  'NGSI_LD_CONTEXT_DIR',
  'NGSI_LD_REMOTE_CONTEXT_HOSTS',
  'NGSI_LD_REMOTE_CONTEXT_TIMEOUT_MS',
  'NGSI_LD_REMOTE_CONTEXT_MAX_BYTES',
  'NGSI_LD_NOTIFICATION_TIMEOUT_MS',
  'NGSI_LD_ALLOW_PRIVATE_ENDPOINTS',
  'NGSI_LD_HISTORY',
  'NGSI_LD_MAX_LIMIT',
  'NGSI_LD_QUERY_TIMEOUT_MS',
];

/** Reads the settings from the environment; `overrides` win (tests). */
export function loadNgsiLdSettings(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<NgsiLdSettings> = {},
): NgsiLdSettings {
  const d = DEFAULT_NGSI_LD_SETTINGS;
  return Object.freeze({
    publicRead: bool(env, 'NGSI_LD_PUBLIC_READ', d.publicRead),
    contextDir: env.NGSI_LD_CONTEXT_DIR || d.contextDir,
    remoteContextHosts: (env.NGSI_LD_REMOTE_CONTEXT_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    remoteContextTimeoutMs: int(
      env,
      'NGSI_LD_REMOTE_CONTEXT_TIMEOUT_MS',
      d.remoteContextTimeoutMs,
      100,
      60_000,
    ),
    remoteContextMaxBytes: int(
      env,
      'NGSI_LD_REMOTE_CONTEXT_MAX_BYTES',
      d.remoteContextMaxBytes,
      1024,
      10 * 2 ** 20,
    ),
    notificationTimeoutMs: int(env, 'NGSI_LD_NOTIFICATION_TIMEOUT_MS', d.notificationTimeoutMs, 100, 120_000),
    allowPrivateEndpoints: bool(env, 'NGSI_LD_ALLOW_PRIVATE_ENDPOINTS', d.allowPrivateEndpoints),
    history: bool(env, 'NGSI_LD_HISTORY', d.history),
    maxLimit: int(env, 'NGSI_LD_MAX_LIMIT', d.maxLimit, 1, 100_000),
    queryTimeoutMs: int(env, 'NGSI_LD_QUERY_TIMEOUT_MS', d.queryTimeoutMs, 100, 600_000),
    ...overrides,
  });
}
