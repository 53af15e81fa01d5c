/** Time source. Injected everywhere time matters so tests move time instead of sleeping. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/** A clock that only moves when told to; for tests and the simulator. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string | number = Date.UTC(2026, 0, 5, 1, 0, 0)) {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): Date {
    if (ms < 0) throw new RangeError('A clock does not go backwards.');
    this.#ms += ms;
    return this.now();
  }
  set(to: Date | string | number): Date {
    this.#ms = new Date(to).getTime();
    return this.now();
  }
}

/** An instant's calendar fields in a time zone (month 1–12, hour 0–23). */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * One formatter per time zone: building an `Intl.DateTimeFormat` costs far more than using
 * it. A memo of a pure function: what it holds is the same for every app of the process.
 */
const zonedFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar fields of `at` in `timeZone` (an IANA name), asked of Intl. */
export function zonedParts(at: Date | number, timeZone: string): ZonedParts {
  let f = zonedFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zonedFormatters.set(timeZone, f);
  }
  const out: ZonedParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of f.formatToParts(at)) if (p.type in out) out[p.type as keyof ZonedParts] = Number(p.value);
  return out;
}
