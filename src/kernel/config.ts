import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

/** Log levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, frozen configuration of one OneCity node. */
export interface Config {
  /** TCP port of the HTTP server (`PORT`). */
  readonly port: number;
  /** Interface to bind (`HOST`). */
  readonly host: string;
  /**
   * Which proxies' `X-Forwarded-For` names the client (`TRUST_PROXY`, Fastify's `trustProxy`):
   * `false` (default: the socket's peer is the client), `true` (any hop), a hop count, or the
   * proxies' addresses and CIDR ranges.
   */
  readonly trustProxy: TrustProxy;
  /** Requests a minute per signed-in user, and per address for anonymous callers, on each node; 0 = off (`RATE_LIMIT_PER_MINUTE`). */
  readonly rateLimitPerMinute: number;
  /** Requests a minute per service account or device on each node; 0 = off (`RATE_LIMIT_SERVICE_PER_MINUTE`). */
  readonly rateLimitServicePerMinute: number;
  /** Directory for the embedded database, uploads and the lock file (`DATA_DIR`). */
  readonly dataDir: string;
  /** A PostgreSQL connection string; when set, PGlite is not used (`DATABASE_URL`). */
  readonly databaseUrl: string | null;
  /**
   * Send statements that run again and again as named prepared statements (`DATABASE_PREPARED_STATEMENTS`,
   * default true); off behind a pooler that does not keep them (PgBouncer before 1.21 in transaction mode).
   */
  readonly preparedStatements: boolean;
  /** Seconds between the embedded database's autovacuum passes; 0 turns them off (`EMBEDDED_MAINTENANCE_SECONDS`). */
  readonly embeddedMaintenanceSeconds: number;
  /** NATS server for the event bus across nodes (`NATS_URL`). */
  readonly natsUrl: string | null;
  /** JetStream stream holding this deployment's events (`NATS_STREAM`). */
  readonly natsStream: string;
  /** Subject prefix of this deployment's events: `case.filed` goes to `<prefix>.case.filed` (`NATS_SUBJECT_PREFIX`). */
  readonly natsSubjectPrefix: string;
  /** MQTT broker for device ingestion (`MQTT_URL`). */
  readonly mqttUrl: string | null;
  /** pino level (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
  /** Pretty logs for a terminal instead of JSON lines (`LOG_PRETTY`). */
  readonly logPretty: boolean;
  /** Enabled plates: `all` or a list of module ids (`ONECITY_MODULES`, comma separated). */
  readonly modules: 'all' | readonly string[];
  /** IANA time zone of the city for working time and day boundaries (`ONECITY_TIMEZONE`). */
  readonly timeZone: string;
  /** Seed the demo city into an empty database at start (`ONECITY_SEED_DEMO`). */
  readonly seedDemo: boolean;
  /** How many seconds SIGTERM/SIGINT waits for in-flight requests (`SHUTDOWN_TIMEOUT_SECONDS`). */
  readonly shutdownTimeoutSeconds: number;
  /** Largest accepted request body in bytes (`BODY_LIMIT_BYTES`). */
  readonly bodyLimitBytes: number;
  /** Deepest nesting of arrays and objects in a JSON request body or MQTT payload (`BODY_MAX_DEPTH`). */
  readonly bodyMaxDepth: number;
  /** Run scheduled jobs on this node (`SCHEDULER_ENABLED`). */
  readonly schedulerEnabled: boolean;
  /** How often the scheduler polls for due jobs, in milliseconds (`SCHEDULER_POLL_MS`). */
  readonly schedulerPollMs: number;
  /** Done and cancelled jobs older than this many days are deleted; 0 keeps them (`SCHEDULER_DONE_RETENTION_DAYS`). */
  readonly schedulerDoneRetentionDays: number;
  /** Failed jobs older than this many days are deleted; 0 keeps them (`SCHEDULER_FAILED_RETENTION_DAYS`). */
  readonly schedulerFailedRetentionDays: number;
  /** A device that sent nothing for this many seconds is flagged offline (`DEVICE_OFFLINE_AFTER_SECONDS`). */
  readonly deviceOfflineAfterSeconds: number;
  /** Raw observations older than this many days are deleted; 0 keeps them (`OBSERVATION_RETENTION_DAYS`). */
  readonly observationRetentionDays: number;
  /**
   * The capabilities' own settings given in the config file's `settings` object, e.g.
   * `"settings": { "OPEN311_INTAKE_MODE": "queued", "ONECITY_HOLIDAYS": "2026-10-01" }`.
   * Each capability reads its keys through {@link capabilitySettings}, where the environment
   * wins; `buildApp` refuses a key no capability declares.
   */
  readonly settings: Readonly<Record<string, string>>;
}

/** Thrown when configuration is invalid; the message names the key. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The proxies whose `X-Forwarded-For` is believed: none, all, a hop count, or addresses and CIDRs. */
export type TrustProxy = boolean | number | readonly string[];

/** proxy-addr's names for address ranges, accepted in `TRUST_PROXY` lists. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `true`/`false`, a hop count, or a comma-separated list of addresses, CIDRs and range names. */
function parseTrustProxy(v: unknown, key: string): TrustProxy {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d+\s*$/.test(v))) {
    const hops = int(0, 64)(v, key);
    return hops === 0 ? false : hops;
  }
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : null;
  if (!list)
    throw new ConfigError(
      key,
      `must be true, false, a hop count or a list of addresses (got ${JSON.stringify(v)})`,
    );
  if (list.length === 1 && typeof list[0] === 'string' && /^(true|false)$/i.test(list[0]))
    return list[0].toLowerCase() === 'true';
  for (const entry of list) {
    if (typeof entry !== 'string' || !isProxyAddress(entry))
      throw new ConfigError(
        key,
        `"${String(entry)}" is not an IP address, a CIDR range or one of ${PROXY_RANGE_NAMES.join(', ')}`,
      );
  }
  return Object.freeze([...(list as string[])]);
}

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

type Raw = Record<string, unknown>;

interface KeySpec<T> {
  /** Environment variable name, also the key in onecity.config.json. */
  key: string;
  default: T;
  parse(value: unknown, key: string): T;
}

const str =
  (opts: { nonEmpty?: boolean } = {}) =>
  (v: unknown, key: string): string => {
    if (typeof v !== 'string') throw new ConfigError(key, `must be a string (got ${JSON.stringify(v)})`);
    if (opts.nonEmpty && v.trim() === '') throw new ConfigError(key, 'must not be empty');
    return v;
  };

const optionalUrl =
  (protocols: string[]) =>
  (v: unknown, key: string): string | null => {
    if (v === null || v === undefined || v === '') return null;
    if (typeof v !== 'string') throw new ConfigError(key, `must be a URL string (got ${JSON.stringify(v)})`);
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      throw new ConfigError(key, `is not a valid URL (got "${redactUrl(v)}")`);
    }
    if (!protocols.includes(url.protocol))
      throw new ConfigError(key, `must use ${protocols.join(' or ')} (got "${url.protocol}")`);
    return v;
  };

const int =
  (min: number, max: number) =>
  (v: unknown, key: string): number => {
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError(key, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
    return n;
  };

const bool = (v: unknown, key: string): boolean => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
  }
  throw new ConfigError(key, `must be true or false (got ${JSON.stringify(v)})`);
};

/** The JetStream stream of the event bus unless `NATS_STREAM` names another. */
export const DEFAULT_NATS_STREAM = 'ONECITY_EVENTS';
/** The event subjects' prefix unless `NATS_SUBJECT_PREFIX` gives another. */
export const DEFAULT_NATS_SUBJECT_PREFIX = 'onecity.events';

/** A JetStream stream name: NATS refuses `.`, `*`, `>`, slashes, spaces; it also names a folder on the server. */
const natsStreamName = (v: unknown, key: string): string => {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(v))
    throw new ConfigError(key, `must be 1 to 64 letters, digits, _ or - (got ${JSON.stringify(v)})`);
  return v;
};

/** A subject prefix: dot-separated tokens without wildcards, so it matches only this deployment's events. */
const natsSubjectPrefix = (v: unknown, key: string): string => {
  if (typeof v !== 'string' || v.length > 128 || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(v))
    throw new ConfigError(
      key,
      `must be dot-separated tokens of letters, digits, _ and - (no wildcards), at most 128 characters (got ${JSON.stringify(v)})`,
    );
  return v;
};

/** Seconds between the embedded database's maintenance passes unless configured. */
export const DEFAULT_MAINTENANCE_SECONDS = 10;

const SPECS = {
  port: { key: 'PORT', default: 8080, parse: int(0, 65535) },
  host: { key: 'HOST', default: '127.0.0.1', parse: str({ nonEmpty: true }) },
  trustProxy: { key: 'TRUST_PROXY', default: false, parse: parseTrustProxy },
  rateLimitPerMinute: { key: 'RATE_LIMIT_PER_MINUTE', default: 1200, parse: int(0, 1_000_000) },
  rateLimitServicePerMinute: {
    key: 'RATE_LIMIT_SERVICE_PER_MINUTE',
    default: 12_000,
    parse: int(0, 10_000_000),
  },
  dataDir: { key: 'DATA_DIR', default: './data', parse: str({ nonEmpty: true }) },
  databaseUrl: { key: 'DATABASE_URL', default: null, parse: optionalUrl(['postgres:', 'postgresql:']) },
  preparedStatements: { key: 'DATABASE_PREPARED_STATEMENTS', default: true, parse: bool },
  embeddedMaintenanceSeconds: {
    key: 'EMBEDDED_MAINTENANCE_SECONDS',
    default: DEFAULT_MAINTENANCE_SECONDS,
    parse: int(0, 86_400),
  },
  natsUrl: { key: 'NATS_URL', default: null, parse: optionalUrl(['nats:', 'tls:', 'ws:', 'wss:']) },
  natsStream: { key: 'NATS_STREAM', default: DEFAULT_NATS_STREAM, parse: natsStreamName },
  natsSubjectPrefix: {
    key: 'NATS_SUBJECT_PREFIX',
    default: DEFAULT_NATS_SUBJECT_PREFIX,
    parse: natsSubjectPrefix,
  },
  mqttUrl: { key: 'MQTT_URL', default: null, parse: optionalUrl(['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:']) },
  logLevel: {
    key: 'LOG_LEVEL',
    default: 'info',
    parse: (v: unknown, key: string) => {
      if (typeof v !== 'string' || !(LOG_LEVELS as readonly string[]).includes(v))
        throw new ConfigError(key, `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(v)})`);
      return v as LogLevel;
    },
  },
  logPretty: { key: 'LOG_PRETTY', default: false, parse: bool },
  modules: {
    key: 'ONECITY_MODULES',
    default: 'all',
    parse: (v: unknown, key: string): 'all' | readonly string[] => {
      const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : null;
      if (!list) throw new ConfigError(key, `must be "all" or a comma-separated list of module ids`);
      if (list.length === 1 && list[0] === 'all') return 'all';
      for (const id of list)
        if (typeof id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(id))
          throw new ConfigError(key, `"${String(id)}" is not a module id (lowercase kebab-case)`);
      return Object.freeze([...new Set(list as string[])]);
    },
  },
  timeZone: {
    key: 'ONECITY_TIMEZONE',
    default: 'Asia/Shanghai',
    parse: (v: unknown, key: string) => {
      if (typeof v !== 'string') throw new ConfigError(key, 'must be an IANA time zone name');
      try {
        new Intl.DateTimeFormat('en', { timeZone: v });
      } catch {
        throw new ConfigError(key, `"${v}" is not a known IANA time zone`);
      }
      return v;
    },
  },
  seedDemo: { key: 'ONECITY_SEED_DEMO', default: true, parse: bool },
  shutdownTimeoutSeconds: { key: 'SHUTDOWN_TIMEOUT_SECONDS', default: 10, parse: int(1, 600) },
  bodyLimitBytes: {
    key: 'BODY_LIMIT_BYTES',
    default: 10 * 1024 * 1024,
    parse: int(1024, 1024 * 1024 * 1024),
  },
  bodyMaxDepth: { key: 'BODY_MAX_DEPTH', default: 64, parse: int(8, 512) },
  schedulerEnabled: { key: 'SCHEDULER_ENABLED', default: true, parse: bool },
  schedulerPollMs: { key: 'SCHEDULER_POLL_MS', default: 1000, parse: int(10, 60_000) },
  schedulerDoneRetentionDays: { key: 'SCHEDULER_DONE_RETENTION_DAYS', default: 7, parse: int(0, 36_500) },
  schedulerFailedRetentionDays: {
    key: 'SCHEDULER_FAILED_RETENTION_DAYS',
    default: 30,
    parse: int(0, 36_500),
  },
  deviceOfflineAfterSeconds: {
    key: 'DEVICE_OFFLINE_AFTER_SECONDS',
    default: 900,
    parse: int(10, 31_536_000),
  },
  observationRetentionDays: { key: 'OBSERVATION_RETENTION_DAYS', default: 400, parse: int(0, 36_500) },
} satisfies { [K in Exclude<keyof Config, 'settings'>]: KeySpec<Config[K]> };

/** Every configuration key with its default, for docs and `--help`. */
export const CONFIG_KEYS: ReadonlyArray<{ key: string; field: keyof Config; default: unknown }> =
  Object.freeze(
    (Object.keys(SPECS) as (keyof typeof SPECS)[]).map((field) => ({
      key: SPECS[field].key,
      field,
      default: SPECS[field].default,
    })),
  );

export interface LoadConfigOptions {
  /** Environment; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Path of a JSON file; defaults to `ONECITY_CONFIG` or `./onecity.config.json` when present. */
  file?: string | null;
  /** Values that win over file and environment (tests, CLI flags). */
  overrides?: Partial<Record<keyof Config, unknown>>;
}

/**
 * Builds the configuration from defaults < `onecity.config.json` < environment < overrides,
 * validates every key and freezes the result. Throws {@link ConfigError} naming the bad key.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const filePath =
    options.file === undefined
      ? (env.ONECITY_CONFIG ?? (existsSync('onecity.config.json') ? 'onecity.config.json' : null))
      : options.file;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const known = new Set([...Object.values(SPECS).map((s) => s.key), 'settings']);
  for (const k of Object.keys(fromFile))
    if (!known.has(k)) throw new ConfigError(k, `is not a known configuration key (in ${filePath})`);

  const out: Raw = { settings: fileSettings(fromFile.settings, filePath) };
  for (const field of Object.keys(SPECS) as (keyof typeof SPECS)[]) {
    const spec = SPECS[field] as KeySpec<unknown>;
    let value: unknown = spec.default;
    if (fromFile[spec.key] !== undefined) value = fromFile[spec.key];
    const envValue = env[spec.key];
    if (envValue !== undefined && envValue !== '') value = envValue;
    if (options.overrides && field in options.overrides) value = options.overrides[field];
    out[field] = value === spec.default ? value : spec.parse(value, spec.key);
  }
  return Object.freeze(out) as unknown as Config;
}

/** The `settings` object of the config file: keys to strings (numbers and booleans as written). */
function fileSettings(raw: unknown, filePath: string | null): Readonly<Record<string, string>> {
  if (raw === undefined) return Object.freeze({});
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('settings', `must be an object of setting names to values (in ${filePath})`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(k))
      throw new ConfigError(`settings.${k}`, 'is not a setting name (upper case, like OPEN311_INTAKE_MODE)');
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw new ConfigError(
        `settings.${k}`,
        `must be a string, number or boolean (got ${JSON.stringify(v)})`,
      );
    out[k] = String(v);
  }
  return Object.freeze(out);
}

/**
 * What a capability reads its settings from: the config file's `settings`, overridden by
 * the environment (a variable that is set and not empty wins, as for the kernel's keys).
 */
export function capabilitySettings(
  config: Pick<Config, 'settings'>,
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...config.settings };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function readConfigFile(filePath: string): Raw {
  let text: string;
  try {
    text = readFileSync(path.resolve(filePath), 'utf8');
  } catch (e) {
    throw new ConfigError('ONECITY_CONFIG', `cannot read ${filePath}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('ONECITY_CONFIG', `${filePath} is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError('ONECITY_CONFIG', `${filePath} must hold a JSON object`);
  return parsed as Raw;
}

/** Hides the password in a connection string, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}
