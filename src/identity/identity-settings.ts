import { ConfigError } from '../kernel/index.ts';

/** Identity's own settings (environment variables, validated at boot like the kernel's). */
export interface IdentitySettings {
  /** Lifetime of a login session in seconds (`ONECITY_SESSION_TTL_SECONDS`, default 8 h). */
  sessionTtlSeconds: number;
  /** Failed logins of one account before it is locked (`ONECITY_LOGIN_MAX_FAILURES`, default 5). */
  accountMaxFailures: number;
  /**
   * Login attempts from one address in a window before it is slowed
   * (`ONECITY_LOGIN_MAX_FAILURES_PER_ADDRESS`, default 20); correct passwords give theirs back.
   */
  addressMaxFailures: number;
  /**
   * Longest wait a slowed address is given between attempts, seconds
   * (`ONECITY_LOGIN_ADDRESS_MAX_DELAY_SECONDS`, default 60); the wait doubles from 1 s.
   */
  addressMaxDelaySeconds: number;
  /**
   * Days after a successful login during which its address still gets in while the account is
   * locked, and is not slowed (`ONECITY_LOGIN_KNOWN_ADDRESS_DAYS`, default 30; 0 turns it off).
   */
  knownAddressDays: number;
  /**
   * Window in which an account's failures are counted, and the quiet time after which an
   * address's are forgotten, seconds (`ONECITY_LOGIN_WINDOW_SECONDS`, default 900).
   */
  failureWindowSeconds: number;
  /** How long a lockout lasts, seconds (`ONECITY_LOGIN_LOCKOUT_SECONDS`, default 900). */
  lockoutSeconds: number;
  /**
   * How long a resolved session or API key is reused in-process, seconds
   * (`ONECITY_PRINCIPAL_CACHE_SECONDS`, default 10; 0 turns the cache off). Revocations
   * apply at once on the node that made them, and on other nodes through the bus or at
   * the latest after this long.
   */
  principalCacheSeconds: number;
  /** Credentials the principal cache keeps at most (`ONECITY_PRINCIPAL_CACHE_SIZE`, default 10,000). */
  principalCacheSize: number;
}

const KEYS: Record<keyof IdentitySettings, [string, number, number, number]> = {
  sessionTtlSeconds: ['ONECITY_SESSION_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600],
  accountMaxFailures: ['ONECITY_LOGIN_MAX_FAILURES', 5, 1, 1000],
  addressMaxFailures: ['ONECITY_LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100_000],
  addressMaxDelaySeconds: ['ONECITY_LOGIN_ADDRESS_MAX_DELAY_SECONDS', 60, 1, 3600],
  knownAddressDays: ['ONECITY_LOGIN_KNOWN_ADDRESS_DAYS', 30, 0, 365],
  failureWindowSeconds: ['ONECITY_LOGIN_WINDOW_SECONDS', 900, 1, 86_400],
  lockoutSeconds: ['ONECITY_LOGIN_LOCKOUT_SECONDS', 900, 1, 86_400],
  principalCacheSeconds: ['ONECITY_PRINCIPAL_CACHE_SECONDS', 10, 0, 300],
  principalCacheSize: ['ONECITY_PRINCIPAL_CACHE_SIZE', 10_000, 1, 1_000_000],
};

/** The names of identity's settings. */
export const IDENTITY_SETTING_KEYS: readonly string[] = Object.values(KEYS).map(([key]) => key);

/** Reads and validates the settings; throws ConfigError naming the bad key. */
export function loadIdentitySettings(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<IdentitySettings> = {},
): IdentitySettings {
  const out = {} as IdentitySettings;
  for (const [field, [key, def, min, max]] of Object.entries(KEYS) as [
    keyof IdentitySettings,
    [string, number, number, number],
  ][]) {
    const raw = env[key];
    let value = def;
    if (raw !== undefined && raw !== '') {
      value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(value) || value < min || value > max)
        throw new ConfigError(key, `must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    }
    out[field] = overrides[field] ?? value;
  }
  return Object.freeze(out);
}
