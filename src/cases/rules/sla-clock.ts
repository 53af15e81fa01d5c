/**
 * The SLA clock: pure arithmetic over a working calendar (working periods of a day,
 * weekends, holidays, make-up working days, the city's time zone) or calendar time.
 * Nothing here reads the wall clock; callers pass the instants.
 */
import { zonedParts, type TimeBasis } from '../../kernel/index.ts';

/** A working period of a day in local time, `HH:MM`–`HH:MM` (end exclusive). */
export interface WorkingPeriod {
  readonly start: string;
  readonly end: string;
}

/** When working time runs, in one time zone. */
export interface WorkingCalendar {
  /** IANA time zone of the city (config `ONECITY_TIMEZONE`). */
  readonly timeZone: string;
  /** Working periods of a working day, in order, not overlapping. */
  readonly periods: readonly WorkingPeriod[];
  /** Days of the week that are not worked: 0 = Sunday … 6 = Saturday. */
  readonly weekendDays: readonly number[];
  /** Local dates (`YYYY-MM-DD`) that are public holidays. */
  readonly holidays: readonly string[];
  /** Local dates that are worked although they fall on a weekend (调休 make-up days). */
  readonly makeUpWorkdays: readonly string[];
}

/** 08:30–12:00 and 13:30–17:30, Monday to Friday, Asia/Shanghai. */
export const DEFAULT_CALENDAR: WorkingCalendar = Object.freeze({
  timeZone: 'Asia/Shanghai',
  periods: Object.freeze([
    { start: '08:30', end: '12:00' },
    { start: '13:30', end: '17:30' },
  ]),
  weekendDays: Object.freeze([0, 6]),
  holidays: Object.freeze([]),
  makeUpWorkdays: Object.freeze([]),
});

/** The traffic light of a stage. */
export type SlaLight = 'green' | 'yellow' | 'red';

/** Share of the limit after which a stage turns yellow. */
export const YELLOW_AT = 0.8;

const MINUTE = 60_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a calendar; throws a RangeError naming the bad field. */
export function validateCalendar(cal: WorkingCalendar): WorkingCalendar {
  try {
    new Intl.DateTimeFormat('en', { timeZone: cal.timeZone });
  } catch {
    throw new RangeError(`timeZone "${cal.timeZone}" is not a known IANA time zone`);
  }
  let last = -1;
  for (const p of cal.periods) {
    if (!HHMM.test(p.start) || !HHMM.test(p.end))
      throw new RangeError(`working period ${p.start}-${p.end} must be HH:MM-HH:MM`);
    const s = toMinutes(p.start);
    const e = toMinutes(p.end);
    if (e <= s) throw new RangeError(`working period ${p.start}-${p.end} ends before it starts`);
    if (s < last) throw new RangeError(`working period ${p.start}-${p.end} overlaps or is out of order`);
    last = e;
  }
  for (const d of cal.weekendDays)
    if (!Number.isInteger(d) || d < 0 || d > 6) throw new RangeError(`weekend day ${d} must be 0-6`);
  for (const d of [...cal.holidays, ...cal.makeUpWorkdays])
    if (!DATE.test(d)) throw new RangeError(`date "${d}" must be YYYY-MM-DD`);
  return cal;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

const QUARTER_HOUR = 15 * 60_000;
/** Per zone: the zone's UTC offset over a quarter hour (by its index), when it is constant. */
const offsets = new Map<string, Map<number, number | null>>();

/** The zone's offset (local minus UTC, whole seconds) at an instant, from Intl. */
function intlOffset(ms: number, timeZone: string): number {
  // Intl is slow (docs/benchmarks-log.md, 2026-11-28 20:56): its answers are memoized below.
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The zone's offset from UTC at an instant, in milliseconds. Offsets change only at a zone's
 * transitions, which fall on quarter hours of UTC in every zone in use, so the offset is asked
 * of Intl at most twice per quarter hour (its start and end; when they differ, the quarter
 * holds a transition and each instant in it is asked of Intl). Time-zone conversions were a
 * large part of the CPU of working-time arithmetic.
 */
function offsetAt(ms: number, timeZone: string): number {
  const q = Math.floor(ms / QUARTER_HOUR);
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  let offset = zone.get(q);
  if (offset === undefined) {
    const start = intlOffset(q * QUARTER_HOUR, timeZone);
    const end = intlOffset((q + 1) * QUARTER_HOUR - 1000, timeZone);
    offset = start === end ? start : null;
    if (zone.size > 50_000) zone.clear();
    zone.set(q, offset);
  }
  return offset ?? intlOffset(ms, timeZone);
}

/** Local calendar fields of an instant in a time zone. */
export function localParts(at: Date, timeZone: string) {
  const ms = at.getTime();
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetAt(ms, timeZone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/** The local date (`YYYY-MM-DD`) of an instant. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant of a local wall time (minutes after midnight) on a local date. */
function localToInstant(y: number, m: number, d: number, minutes: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d) + minutes * MINUTE;
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

interface Day {
  y: number;
  m: number;
  d: number;
  iso: string;
}

function dayOf(ms: number, timeZone: string): Day {
  const p = localParts(new Date(ms), timeZone);
  return mkDay(p.year, p.month, p.day);
}

function mkDay(y: number, m: number, d: number): Day {
  const t = new Date(Date.UTC(y, m - 1, d));
  const yy = t.getUTCFullYear();
  const mm = t.getUTCMonth() + 1;
  const dd = t.getUTCDate();
  return {
    y: yy,
    m: mm,
    d: dd,
    iso: `${yy}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`,
  };
}

const nextDay = (day: Day) => mkDay(day.y, day.m, day.d + 1);

/** True when the local date is worked. */
export function isWorkingDay(date: string, cal: WorkingCalendar): boolean {
  if (cal.makeUpWorkdays.includes(date)) return true;
  if (cal.holidays.includes(date)) return false;
  const [y, m, d] = date.split('-').map(Number);
  return !cal.weekendDays.includes(new Date(Date.UTC(y, m - 1, d)).getUTCDay());
}

/**
 * Working intervals of a day, per calendar: each costs eight time-zone conversions
 * (`Intl` formatToParts, microseconds each), and every stage start, pause, end and light
 * asks for the same few days — at thousands of transitions a second that was most of a
 * transition's CPU time. A pure memo, so it may live at module level (docs/architecture.md,
 * "Capabilities"): the calendar is immutable and the answer depends on nothing else, so two
 * apps sharing a calendar object would compute the same intervals.
 */
const intervalCache = new WeakMap<WorkingCalendar, Map<string, ReadonlyArray<readonly [number, number]>>>();

/** Working intervals [start, end) in epoch ms of one local day. */
function workingIntervals(day: Day, cal: WorkingCalendar): ReadonlyArray<readonly [number, number]> {
  let days = intervalCache.get(cal);
  if (!days) {
    days = new Map();
    intervalCache.set(cal, days);
  }
  const hit = days.get(day.iso);
  if (hit) return hit;
  const intervals: ReadonlyArray<readonly [number, number]> = isWorkingDay(day.iso, cal)
    ? cal.periods.map(
        (p) =>
          [
            localToInstant(day.y, day.m, day.d, toMinutes(p.start), cal.timeZone),
            localToInstant(day.y, day.m, day.d, toMinutes(p.end), cal.timeZone),
          ] as const,
      )
    : [];
  if (days.size > 20_000) days.clear();
  days.set(day.iso, intervals);
  return intervals;
}

// Ten years of days: a calendar with no working time at all must not loop forever.
const MAX_DAYS = 3660;

/**
 * The instant when `minutes` of working time have passed after `start`. Time outside the
 * working periods (nights, lunch, weekends, holidays) does not count.
 */
export function addWorkingTime(start: Date, minutes: number, cal: WorkingCalendar): Date {
  if (minutes <= 0) return new Date(start);
  let remaining = minutes * MINUTE;
  const cursor = start.getTime();
  let day = dayOf(cursor, cal.timeZone);
  for (let i = 0; i < MAX_DAYS; i++, day = nextDay(day)) {
    for (const [ps, pe] of workingIntervals(day, cal)) {
      if (pe <= cursor) continue;
      const s = Math.max(ps, cursor);
      const avail = pe - s;
      if (remaining <= avail) return new Date(s + remaining);
      remaining -= avail;
    }
  }
  throw new RangeError('The working calendar has no working time in the next ten years.');
}

/** Working minutes between two instants (0 when b is not after a). */
export function elapsedWorkingTime(a: Date, b: Date, cal: WorkingCalendar): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  let total = 0;
  let day = dayOf(from, cal.timeZone);
  const last = dayOf(to, cal.timeZone).iso;
  for (let i = 0; i < MAX_DAYS; i++, day = nextDay(day)) {
    for (const [ps, pe] of workingIntervals(day, cal)) {
      const s = Math.max(ps, from);
      const e = Math.min(pe, to);
      if (e > s) total += e - s;
    }
    if (day.iso >= last) break;
  }
  return total / MINUTE;
}

/** Adds time on a basis: working time on the calendar, or plain minutes. */
export function addTime(start: Date, minutes: number, basis: TimeBasis, cal: WorkingCalendar): Date {
  return basis === 'calendar'
    ? new Date(start.getTime() + minutes * MINUTE)
    : addWorkingTime(start, minutes, cal);
}

/** Elapsed minutes on a basis. */
export function elapsedTime(a: Date, b: Date, basis: TimeBasis, cal: WorkingCalendar): number {
  return basis === 'calendar'
    ? Math.max(0, (b.getTime() - a.getTime()) / MINUTE)
    : elapsedWorkingTime(a, b, cal);
}

/** The state of one stage clock, as stored on a case stage. */
export interface StageClock {
  readonly basis: TimeBasis;
  /** The stage's limit plus approved extensions, in minutes. */
  readonly totalMinutes: number;
  /** Minutes counted before the clock was last (re)started. */
  readonly consumedMinutes: number;
  /** When the clock last started running; null while paused (deferred, parked). */
  readonly runningSince: Date | null;
}

/** Minutes counted so far. */
export function consumed(clock: StageClock, now: Date, cal: WorkingCalendar): number {
  return (
    clock.consumedMinutes + (clock.runningSince ? elapsedTime(clock.runningSince, now, clock.basis, cal) : 0)
  );
}

/** Green below 80 % of the limit, yellow below 100 %, red from the limit on. */
export function lightOf(clock: StageClock, now: Date, cal: WorkingCalendar): SlaLight {
  const used = consumed(clock, now, cal);
  if (used >= clock.totalMinutes) return 'red';
  if (used >= clock.totalMinutes * YELLOW_AT) return 'yellow';
  return 'green';
}

/** When a running clock turns yellow and red; null for a paused clock. */
export function thresholds(
  clock: StageClock,
  cal: WorkingCalendar,
): { yellowAt: Date; deadline: Date } | null {
  if (!clock.runningSince) return null;
  const toYellow = Math.max(0, clock.totalMinutes * YELLOW_AT - clock.consumedMinutes);
  const toRed = Math.max(0, clock.totalMinutes - clock.consumedMinutes);
  return {
    yellowAt: addTime(clock.runningSince, toYellow, clock.basis, cal),
    deadline: addTime(clock.runningSince, toRed, clock.basis, cal),
  };
}

/** Pauses a running clock at `now`, folding the elapsed time into the consumed minutes. */
export function pauseClock(clock: StageClock, now: Date, cal: WorkingCalendar): StageClock {
  if (!clock.runningSince) return clock;
  return { ...clock, consumedMinutes: consumed(clock, now, cal), runningSince: null };
}

/** Starts a paused clock again at `now`. */
export function resumeClock(clock: StageClock, now: Date): StageClock {
  if (clock.runningSince) return clock;
  return { ...clock, runningSince: now };
}

/** Adds an approved extension. */
export function extendClock(clock: StageClock, minutes: number): StageClock {
  return { ...clock, totalMinutes: clock.totalMinutes + minutes };
}
