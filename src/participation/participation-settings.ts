/**
 * Settings of citizen participation (Open311, citizen API, public board). Read from the
 * environment at boot, validated, frozen; a bad value stops the server naming the key.
 */
import { ConfigError } from '../kernel/index.ts';

/** How an Open311 POST becomes a case. */
export type IntakeMode = 'immediate' | 'queued';

export interface ParticipationSettings {
  /** The jurisdiction this endpoint serves (`OPEN311_JURISDICTION_ID`). */
  readonly jurisdictionId: string;
  /** Accept Open311 posts without an api_key (`OPEN311_ANONYMOUS_POSTING`). */
  readonly anonymousPosting: boolean;
  /**
   * `immediate`: the case is created inside the POST and its number returned. `queued`: the
   * report is stored durably (group-committed) and a token returned; a worker files it as a
   * case moments later (`OPEN311_INTAKE_MODE`).
   */
  readonly intakeMode: IntakeMode;
  /** Token buckets: reports per minute per api key, per device_id and per client address. */
  readonly ratePerKeyPerMinute: number;
  readonly ratePerDevicePerMinute: number;
  readonly ratePerAddressPerMinute: number;
  /** Largest Open311 POST body in bytes. */
  readonly postBodyLimitBytes: number;
  /** Largest photo in bytes (`UPLOAD_MAX_BYTES`) and how many per report. */
  readonly uploadMaxBytes: number;
  readonly uploadMaxFiles: number;
  /** Where uploads are stored (`UPLOAD_DIR`, default `<DATA_DIR>/uploads`). */
  readonly uploadDir: string | null;
  /** Absolute base URL used in `media_url` and discovery (`PUBLIC_BASE_URL`); from the request when unset. */
  readonly publicBaseUrl: string | null;
  /** Contact shown in discovery. */
  readonly contact: string;
}

export const DEFAULT_PARTICIPATION_SETTINGS: ParticipationSettings = Object.freeze({
  jurisdictionId: 'onecity.example.gov.cn',
  anonymousPosting: true,
  intakeMode: 'immediate',
  ratePerKeyPerMinute: 600,
  ratePerDevicePerMinute: 10,
  ratePerAddressPerMinute: 60,
  postBodyLimitBytes: 16 * 1024,
  uploadMaxBytes: 8 * 1024 * 1024,
  uploadMaxFiles: 3,
  uploadDir: null,
  publicBaseUrl: null,
  contact: '12345 市民服务热线 / citizen service hotline',
});

function positiveInt(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const v = env[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(key, `must be a positive integer (got ${JSON.stringify(v)})`);
  return n;
}

function bool(env: Record<string, string | undefined>, key: string, fallback: boolean): boolean {
  const v = env[key]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(key, `must be true or false (got ${JSON.stringify(env[key])})`);
}

/**
 * Reads `OPEN311_JURISDICTION_ID`, `OPEN311_ANONYMOUS_POSTING`, `OPEN311_INTAKE_MODE`,
 * `OPEN311_RATE_PER_KEY`, `OPEN311_RATE_PER_DEVICE`, `OPEN311_RATE_PER_ADDRESS` (per minute),
 * `OPEN311_BODY_LIMIT_BYTES`, `UPLOAD_MAX_BYTES`, `UPLOAD_DIR`, `PUBLIC_BASE_URL`.
 */
export function participationSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
  base: ParticipationSettings = DEFAULT_PARTICIPATION_SETTINGS,
): ParticipationSettings {
  const jurisdictionId = env.OPEN311_JURISDICTION_ID?.trim() || base.jurisdictionId;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(jurisdictionId))
    throw new ConfigError('OPEN311_JURISDICTION_ID', 'must be a domain-like identifier such as lanhu.gov.cn');
  const mode = (env.OPEN311_INTAKE_MODE?.trim() || base.intakeMode) as IntakeMode;
  if (mode !== 'immediate' && mode !== 'queued')
    throw new ConfigError('OPEN311_INTAKE_MODE', `must be immediate or queued (got ${JSON.stringify(mode)})`);
  const publicBaseUrl = env.PUBLIC_BASE_URL?.trim() || base.publicBaseUrl;
  if (publicBaseUrl && !/^https?:\/\/[^\s]+$/.test(publicBaseUrl))
    throw new ConfigError('PUBLIC_BASE_URL', 'must be an absolute http(s) URL');
  return Object.freeze({
    ...base,
    jurisdictionId,
    anonymousPosting: bool(env, 'OPEN311_ANONYMOUS_POSTING', base.anonymousPosting),
    intakeMode: mode,
    ratePerKeyPerMinute: positiveInt(env, 'OPEN311_RATE_PER_KEY', base.ratePerKeyPerMinute),
    ratePerDevicePerMinute: positiveInt(env, 'OPEN311_RATE_PER_DEVICE', base.ratePerDevicePerMinute),
    ratePerAddressPerMinute: positiveInt(env, 'OPEN311_RATE_PER_ADDRESS', base.ratePerAddressPerMinute),
    postBodyLimitBytes: positiveInt(env, 'OPEN311_BODY_LIMIT_BYTES', base.postBodyLimitBytes),
    uploadMaxBytes: positiveInt(env, 'UPLOAD_MAX_BYTES', base.uploadMaxBytes),
    uploadDir: env.UPLOAD_DIR?.trim() || base.uploadDir,
    publicBaseUrl: publicBaseUrl ? publicBaseUrl.replace(/\/+$/, '') : null,
  });
}
