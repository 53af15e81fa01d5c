/**
 * Settings of citizen participation (Open311, citizen API, public board). Read from the
 * environment at boot, validated, frozen; a bad value stops the server naming the key.
 */
import { ConfigError } from '../kernel/index.ts';
import type { S3StoreSettings } from './s3-media-store.ts';

/** How an Open311 POST becomes a case. */
export type IntakeMode = 'immediate' | 'queued' | 'auto';

export interface ParticipationSettings {
  /** The jurisdiction this endpoint serves (`OPEN311_JURISDICTION_ID`). */
  readonly jurisdictionId: string;
  /** Accept Open311 posts without an api_key (`OPEN311_ANONYMOUS_POSTING`). */
  readonly anonymousPosting: boolean;
  /**
   * `immediate`: the case is created inside the POST and its number returned. `queued`: the
   * report is stored durably (group-committed) and a token returned; a worker files it as a
   * case moments later. `auto` (default): immediate while this node files fewer than
   * `autoQueueAbove` reports at once, queued beyond that, so a burst is absorbed instead of
   * slowing every answer (`OPEN311_INTAKE_MODE`).
   */
  readonly intakeMode: IntakeMode;
  /** In `auto` mode, immediate filings in flight on this node above which posts are queued (`OPEN311_AUTO_QUEUE_ABOVE`). */
  readonly autoQueueAbove: number;
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
  /**
   * An S3-compatible bucket for citizens' photos and (under `staff/`) staff evidence instead
   * of `uploadDir`; null keeps them on disk (`UPLOAD_S3_*`).
   */
  readonly uploadS3: S3StoreSettings | null;
  /** Absolute base URL used in `media_url` and discovery (`PUBLIC_BASE_URL`); from the request when unset. */
  readonly publicBaseUrl: string | null;
  /** Contact shown in discovery. */
  readonly contact: string;
}

export const DEFAULT_PARTICIPATION_SETTINGS: ParticipationSettings = Object.freeze({
  jurisdictionId: 'onecity.example.gov.cn',
  anonymousPosting: true,
  intakeMode: 'auto',
  autoQueueAbove: 8,
  ratePerKeyPerMinute: 600,
  ratePerDevicePerMinute: 10,
  ratePerAddressPerMinute: 60,
  postBodyLimitBytes: 16 * 1024,
  uploadMaxBytes: 8 * 1024 * 1024,
  uploadMaxFiles: 3,
  uploadDir: null,
  uploadS3: null,
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
 * `OPEN311_BODY_LIMIT_BYTES`, `UPLOAD_MAX_BYTES`, `UPLOAD_DIR`, `UPLOAD_S3_*` (see
 * {@link s3SettingsFromEnv}), `PUBLIC_BASE_URL`.
 */
export function participationSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
  base: ParticipationSettings = DEFAULT_PARTICIPATION_SETTINGS,
): ParticipationSettings {
  const jurisdictionId = env.OPEN311_JURISDICTION_ID?.trim() || base.jurisdictionId;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(jurisdictionId))
    throw new ConfigError('OPEN311_JURISDICTION_ID', 'must be a domain-like identifier such as lanhu.gov.cn');
  const mode = (env.OPEN311_INTAKE_MODE?.trim() || base.intakeMode) as IntakeMode;
  if (mode !== 'immediate' && mode !== 'queued' && mode !== 'auto')
    throw new ConfigError(
      'OPEN311_INTAKE_MODE',
      `must be immediate, queued or auto (got ${JSON.stringify(mode)})`,
    );
  const publicBaseUrl = env.PUBLIC_BASE_URL?.trim() || base.publicBaseUrl;
  if (publicBaseUrl && !/^https?:\/\/[^\s]+$/.test(publicBaseUrl))
    throw new ConfigError('PUBLIC_BASE_URL', 'must be an absolute http(s) URL');
  return Object.freeze({
    ...base,
    jurisdictionId,
    anonymousPosting: bool(env, 'OPEN311_ANONYMOUS_POSTING', base.anonymousPosting),
    intakeMode: mode,
    autoQueueAbove: positiveInt(env, 'OPEN311_AUTO_QUEUE_ABOVE', base.autoQueueAbove),
    ratePerKeyPerMinute: positiveInt(env, 'OPEN311_RATE_PER_KEY', base.ratePerKeyPerMinute),
    ratePerDevicePerMinute: positiveInt(env, 'OPEN311_RATE_PER_DEVICE', base.ratePerDevicePerMinute),
    ratePerAddressPerMinute: positiveInt(env, 'OPEN311_RATE_PER_ADDRESS', base.ratePerAddressPerMinute),
    postBodyLimitBytes: positiveInt(env, 'OPEN311_BODY_LIMIT_BYTES', base.postBodyLimitBytes),
    uploadMaxBytes: positiveInt(env, 'UPLOAD_MAX_BYTES', base.uploadMaxBytes),
    uploadDir: env.UPLOAD_DIR?.trim() || base.uploadDir,
    uploadS3: s3SettingsFromEnv(env) ?? base.uploadS3,
    publicBaseUrl: publicBaseUrl ? publicBaseUrl.replace(/\/+$/, '') : null,
  });
}

const S3_KEYS = [
  'UPLOAD_S3_ENDPOINT',
  'UPLOAD_S3_BUCKET',
  'UPLOAD_S3_REGION',
  'UPLOAD_S3_ACCESS_KEY_ID',
  'UPLOAD_S3_SECRET_ACCESS_KEY',
  'UPLOAD_S3_PREFIX',
  'UPLOAD_S3_FORCE_PATH_STYLE',
  'UPLOAD_S3_TIMEOUT_MS',
] as const;

/**
 * Reads `UPLOAD_S3_ENDPOINT` (when unset: null, photos stay on disk), `UPLOAD_S3_BUCKET`,
 * `UPLOAD_S3_ACCESS_KEY_ID`, `UPLOAD_S3_SECRET_ACCESS_KEY` (required with it),
 * `UPLOAD_S3_REGION` (`us-east-1`), `UPLOAD_S3_PREFIX` (''), `UPLOAD_S3_FORCE_PATH_STYLE`
 * (true), `UPLOAD_S3_TIMEOUT_MS` (10000). Messages never repeat the keys' values.
 */
export function s3SettingsFromEnv(env: Record<string, string | undefined>): S3StoreSettings | null {
  const value = (key: (typeof S3_KEYS)[number]) => env[key]?.trim() ?? '';
  const endpoint = value('UPLOAD_S3_ENDPOINT');
  if (!endpoint) {
    const stray = S3_KEYS.find((k) => value(k) !== '');
    if (stray)
      throw new ConfigError(
        'UPLOAD_S3_ENDPOINT',
        `must be set when ${stray} is (e.g. http://127.0.0.1:9000)`,
      );
    return null;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(
      'UPLOAD_S3_ENDPOINT',
      'must be an absolute http(s) URL such as http://127.0.0.1:9000',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('UPLOAD_S3_ENDPOINT', 'must be an http(s) URL');
  if (url.username || url.password)
    throw new ConfigError(
      'UPLOAD_S3_ENDPOINT',
      'must not carry credentials; use UPLOAD_S3_ACCESS_KEY_ID and UPLOAD_S3_SECRET_ACCESS_KEY',
    );
  if (url.search || url.hash)
    throw new ConfigError('UPLOAD_S3_ENDPOINT', 'must not have a query or fragment');
  const bucket = value('UPLOAD_S3_BUCKET');
  if (!bucket) throw new ConfigError('UPLOAD_S3_BUCKET', 'is required when UPLOAD_S3_ENDPOINT is set');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ConfigError(
      'UPLOAD_S3_BUCKET',
      `must be an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens (got ${JSON.stringify(bucket)})`,
    );
  const region = value('UPLOAD_S3_REGION') || 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region))
    throw new ConfigError(
      'UPLOAD_S3_REGION',
      `must be a region such as us-east-1 (got ${JSON.stringify(region)})`,
    );
  const accessKeyId = value('UPLOAD_S3_ACCESS_KEY_ID');
  if (!accessKeyId)
    throw new ConfigError('UPLOAD_S3_ACCESS_KEY_ID', 'is required when UPLOAD_S3_ENDPOINT is set');
  const secretAccessKey = value('UPLOAD_S3_SECRET_ACCESS_KEY');
  if (!secretAccessKey)
    throw new ConfigError('UPLOAD_S3_SECRET_ACCESS_KEY', 'is required when UPLOAD_S3_ENDPOINT is set');
  let prefix = value('UPLOAD_S3_PREFIX');
  const segments = prefix.replace(/\/$/, '').split('/');
  if (
    prefix &&
    (!/^[A-Za-z0-9._/-]+$/.test(prefix) || segments.some((g) => g === '' || g === '.' || g === '..'))
  )
    throw new ConfigError(
      'UPLOAD_S3_PREFIX',
      `must be a key prefix of letters, digits, '.', '_', '-' and '/' such as onecity/photos/, without a leading '/', empty segments, '.' or '..' (got ${JSON.stringify(prefix)})`,
    );
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  return Object.freeze({
    endpoint: url.toString().replace(/\/+$/, ''),
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    prefix,
    forcePathStyle: bool(env, 'UPLOAD_S3_FORCE_PATH_STYLE', true),
    timeoutMs: positiveInt(env, 'UPLOAD_S3_TIMEOUT_MS', 10_000),
  });
}

/** The names of participation's settings. */
export const PARTICIPATION_SETTING_KEYS: readonly string[] = [
  'OPEN311_JURISDICTION_ID',
  'OPEN311_ANONYMOUS_POSTING',
  'OPEN311_INTAKE_MODE',
  'OPEN311_AUTO_QUEUE_ABOVE',
  'OPEN311_RATE_PER_KEY',
  'OPEN311_RATE_PER_DEVICE',
  'OPEN311_RATE_PER_ADDRESS',
  'OPEN311_BODY_LIMIT_BYTES',
  'UPLOAD_MAX_BYTES',
  'UPLOAD_DIR',
  'PUBLIC_BASE_URL',
  ...S3_KEYS,
];
