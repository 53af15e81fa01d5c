/**
 * Settings of the case engine: the working calendar, duplicate search, escalation and
 * whistle timings. Read from the environment at boot, validated, frozen; a bad value
 * stops the server with a message naming the key.
 */
import { ConfigError, type StageLimits, type Urgency } from '../kernel/index.ts';
import { DEFAULT_CALENDAR, validateCalendar, type WorkingCalendar } from './rules/sla-clock.ts';

export interface CaseSettings {
  /** Working periods, weekends, holidays, make-up days; the time zone comes from config. */
  readonly calendar: Omit<WorkingCalendar, 'timeZone'>;
  /** Minutes after a stage turns red before it escalates one level up (calendar time). */
  readonly escalateAfterMinutes: number;
  /** Radius and time window of the duplicate search at intake. */
  readonly duplicateRadiusMeters: number;
  readonly duplicateWindowHours: number;
  /** Most duplicate candidates attached to a new case: the nearest ones. */
  readonly duplicateMaxCandidates: number;
  /** Default report-in deadline of a whistle, in minutes. */
  readonly reportInMinutes: number;
  /** Limits used when a category declares none for an urgency. */
  readonly defaultLimits: Readonly<Record<Urgency, StageLimits>>;
  /** Webhooks may target loopback, private and link-local addresses (`WEBHOOK_ALLOW_PRIVATE_TARGETS`). */
  readonly webhookAllowPrivateTargets: boolean;
  /** Most live streams one caller may have open on a node (`STREAM_MAX_PER_PRINCIPAL`). */
  readonly streamMaxPerPrincipal: number;
  /** Most live streams a node serves at once (`STREAM_MAX_PER_NODE`). */
  readonly streamMaxPerNode: number;
}

const HOUR = 60;

/** Defaults (the reference limits of docs/design.md#sla-clock). */
export const DEFAULT_CASE_SETTINGS: CaseSettings = Object.freeze<CaseSettings>({
  calendar: {
    periods: DEFAULT_CALENDAR.periods,
    weekendDays: DEFAULT_CALENDAR.weekendDays,
    holidays: [],
    makeUpWorkdays: [],
  },
  escalateAfterMinutes: 2 * HOUR,
  duplicateRadiusMeters: 50,
  duplicateWindowHours: 24,
  duplicateMaxCandidates: 5,
  reportInMinutes: 30,
  webhookAllowPrivateTargets: false,
  // A person has a few tabs and devices; one token opening thousands is abuse.
  streamMaxPerPrincipal: 8,
  // Each stream holds a socket and a little memory; beyond this another node should serve.
  streamMaxPerNode: 2000,
  defaultLimits: {
    normal: {
      basis: 'working',
      minutes: { file: 30, dispatch: 30, accept: HOUR, handle: 7 * 450, verify: HOUR },
    },
    urgent: {
      basis: 'calendar',
      minutes: { file: 10, dispatch: 10, accept: 30, handle: 24 * HOUR, verify: HOUR },
    },
    emergency: {
      basis: 'calendar',
      minutes: { file: 10, dispatch: 10, accept: 15, handle: 2 * HOUR, verify: HOUR },
    },
  },
});

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function positive(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const v = env[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(key, `must be a positive number (got ${JSON.stringify(v)})`);
  return n;
}

function flag(env: Record<string, string | undefined>, key: string, fallback: boolean): boolean {
  const v = env[key]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(key, `must be true or false (got ${JSON.stringify(env[key])})`);
}

function positiveInteger(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const n = positive(env, key, fallback);
  if (!Number.isInteger(n))
    throw new ConfigError(key, `must be a whole number (got ${JSON.stringify(env[key])})`);
  return n;
}

/** The names of the case engine's settings. */
export const CASE_SETTING_KEYS: readonly string[] = [
  'ONECITY_WORKING_HOURS',
  'ONECITY_WEEKEND_DAYS',
  'ONECITY_HOLIDAYS',
  'ONECITY_MAKEUP_WORKDAYS',
  'ONECITY_ESCALATE_AFTER_MINUTES',
  'ONECITY_DUPLICATE_RADIUS_M',
  'ONECITY_DUPLICATE_WINDOW_HOURS',
  'ONECITY_DUPLICATE_MAX_CANDIDATES',
  'ONECITY_REPORT_IN_MINUTES',
  'WEBHOOK_ALLOW_PRIVATE_TARGETS',
  'STREAM_MAX_PER_PRINCIPAL',
  'STREAM_MAX_PER_NODE',
];

/**
 * Reads `ONECITY_WORKING_HOURS` (`08:30-12:00,13:30-17:30`), `ONECITY_WEEKEND_DAYS` (`0,6`),
 * `ONECITY_HOLIDAYS` and `ONECITY_MAKEUP_WORKDAYS` (comma-separated `YYYY-MM-DD`),
 * `ONECITY_ESCALATE_AFTER_MINUTES`, `ONECITY_DUPLICATE_RADIUS_M`,
 * `ONECITY_DUPLICATE_WINDOW_HOURS`, `ONECITY_DUPLICATE_MAX_CANDIDATES`, `ONECITY_REPORT_IN_MINUTES`,
 * `WEBHOOK_ALLOW_PRIVATE_TARGETS`, `STREAM_MAX_PER_PRINCIPAL`, `STREAM_MAX_PER_NODE`.
 */
export function caseSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
  base: CaseSettings = DEFAULT_CASE_SETTINGS,
): CaseSettings {
  const calendar = { ...base.calendar };
  if (env.ONECITY_WORKING_HOURS) {
    calendar.periods = list(env.ONECITY_WORKING_HOURS).map((p) => {
      const [start, end] = p.split('-');
      return { start, end };
    });
  }
  if (env.ONECITY_WEEKEND_DAYS !== undefined)
    calendar.weekendDays = list(env.ONECITY_WEEKEND_DAYS).map(Number);
  if (env.ONECITY_HOLIDAYS) calendar.holidays = list(env.ONECITY_HOLIDAYS);
  if (env.ONECITY_MAKEUP_WORKDAYS) calendar.makeUpWorkdays = list(env.ONECITY_MAKEUP_WORKDAYS);
  try {
    validateCalendar({ ...calendar, timeZone: 'UTC' });
  } catch (e) {
    throw new ConfigError('ONECITY_WORKING_HOURS', (e as Error).message);
  }
  return Object.freeze({
    ...base,
    calendar: Object.freeze(calendar),
    escalateAfterMinutes: positive(env, 'ONECITY_ESCALATE_AFTER_MINUTES', base.escalateAfterMinutes),
    duplicateRadiusMeters: positive(env, 'ONECITY_DUPLICATE_RADIUS_M', base.duplicateRadiusMeters),
    duplicateWindowHours: positive(env, 'ONECITY_DUPLICATE_WINDOW_HOURS', base.duplicateWindowHours),
    duplicateMaxCandidates: positiveInteger(
      env,
      'ONECITY_DUPLICATE_MAX_CANDIDATES',
      base.duplicateMaxCandidates,
    ),
    reportInMinutes: positive(env, 'ONECITY_REPORT_IN_MINUTES', base.reportInMinutes),
    webhookAllowPrivateTargets: flag(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', base.webhookAllowPrivateTargets),
    streamMaxPerPrincipal: positiveInteger(env, 'STREAM_MAX_PER_PRINCIPAL', base.streamMaxPerPrincipal),
    streamMaxPerNode: positiveInteger(env, 'STREAM_MAX_PER_NODE', base.streamMaxPerNode),
  });
}
