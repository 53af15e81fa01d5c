import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addTime,
  addWorkingTime,
  DEFAULT_CALENDAR,
  elapsedWorkingTime,
  extendClock,
  isWorkingDay,
  localParts,
  lightOf,
  pauseClock,
  resumeClock,
  type StageClock,
  thresholds,
  validateCalendar,
  type WorkingCalendar,
} from './sla-clock.ts';

// Asia/Shanghai is UTC+8: local 09:00 = 01:00Z. 2026-03-02 is a Monday.
const at = (local: string) => new Date(`${local}+08:00`);
const cal: WorkingCalendar = {
  ...DEFAULT_CALENDAR,
  holidays: ['2026-10-01', '2026-10-02'],
  makeUpWorkdays: ['2026-09-27'], // a Sunday worked in exchange
};

describe('addWorkingTime', () => {
  it('counts minutes inside a working period', () => {
    assert.deepEqual(addWorkingTime(at('2026-03-02T09:00:00'), 30, cal), at('2026-03-02T09:30:00'));
  });
  it('skips the lunch break', () => {
    assert.deepEqual(addWorkingTime(at('2026-03-02T11:30:00'), 60, cal), at('2026-03-02T14:00:00'));
  });
  it('starts counting at the next working period when started outside one', () => {
    assert.deepEqual(addWorkingTime(at('2026-03-02T07:00:00'), 10, cal), at('2026-03-02T08:40:00'));
    assert.deepEqual(addWorkingTime(at('2026-03-02T12:10:00'), 10, cal), at('2026-03-02T13:40:00'));
  });
  it('rolls over the night into the next working day', () => {
    assert.deepEqual(addWorkingTime(at('2026-03-02T17:00:00'), 60, cal), at('2026-03-03T09:00:00'));
  });
  it('skips the weekend', () => {
    // Friday 17:00 + 60 min → Monday 09:00
    assert.deepEqual(addWorkingTime(at('2026-03-06T17:00:00'), 60, cal), at('2026-03-09T09:00:00'));
  });
  it('skips holidays and counts make-up days', () => {
    // Wed 2026-09-30 17:00 + 60 → Thu 10-01 and Fri 10-02 are holidays → Mon 10-05 09:00
    assert.deepEqual(addWorkingTime(at('2026-09-30T17:00:00'), 60, cal), at('2026-10-05T09:00:00'));
    // Sat 09-26 + 30 → Sunday 09-27 is a make-up working day → 08:30 + 30 = 09:00
    assert.deepEqual(addWorkingTime(at('2026-09-26T10:00:00'), 30, cal), at('2026-09-27T09:00:00'));
    assert.equal(isWorkingDay('2026-09-27', cal), true);
    assert.equal(isWorkingDay('2026-10-01', cal), false);
    assert.equal(isWorkingDay('2026-09-26', cal), false);
  });
  it('a full working day is 7.5 hours', () => {
    assert.deepEqual(addWorkingTime(at('2026-03-02T08:30:00'), 450, cal), at('2026-03-02T17:30:00'));
    assert.deepEqual(addWorkingTime(at('2026-03-02T08:30:00'), 451, cal), at('2026-03-03T08:31:00'));
  });
  it('honours another time zone', () => {
    const utc: WorkingCalendar = { ...cal, timeZone: 'UTC' };
    assert.deepEqual(
      addWorkingTime(new Date('2026-03-02T09:00:00Z'), 30, utc),
      new Date('2026-03-02T09:30:00Z'),
    );
  });
});

describe('elapsedWorkingTime', () => {
  it('counts only working minutes', () => {
    assert.equal(elapsedWorkingTime(at('2026-03-02T11:00:00'), at('2026-03-02T14:00:00'), cal), 90);
    assert.equal(elapsedWorkingTime(at('2026-03-06T17:00:00'), at('2026-03-09T09:00:00'), cal), 60);
    assert.equal(elapsedWorkingTime(at('2026-03-02T18:00:00'), at('2026-03-03T08:00:00'), cal), 0);
    assert.equal(elapsedWorkingTime(at('2026-03-03T08:00:00'), at('2026-03-02T18:00:00'), cal), 0);
  });
  it('is the inverse of addWorkingTime', () => {
    const start = at('2026-09-29T16:12:00');
    for (const m of [1, 47, 450, 1000, 3000]) {
      assert.equal(Math.round(elapsedWorkingTime(start, addWorkingTime(start, m, cal), cal)), m);
    }
  });
});

describe('calendar basis', () => {
  it('counts every minute, nights and weekends included', () => {
    assert.deepEqual(addTime(at('2026-03-06T23:00:00'), 120, 'calendar', cal), at('2026-03-07T01:00:00'));
  });
});

describe('stage clock', () => {
  const clock: StageClock = {
    basis: 'working',
    totalMinutes: 100,
    consumedMinutes: 0,
    runningSince: at('2026-03-02T09:00:00'),
  };
  it('is green below 80 %, yellow below 100 %, red from the limit', () => {
    assert.equal(lightOf(clock, at('2026-03-02T10:19:00'), cal), 'green');
    assert.equal(lightOf(clock, at('2026-03-02T10:20:00'), cal), 'yellow');
    assert.equal(lightOf(clock, at('2026-03-02T10:39:00'), cal), 'yellow');
    assert.equal(lightOf(clock, at('2026-03-02T10:40:00'), cal), 'red');
    const t = thresholds(clock, cal)!;
    assert.deepEqual(t.yellowAt, at('2026-03-02T10:20:00'));
    assert.deepEqual(t.deadline, at('2026-03-02T10:40:00'));
  });
  it('pauses and resumes, moving the deadline by the paused time', () => {
    const paused = pauseClock(clock, at('2026-03-02T09:30:00'), cal);
    assert.equal(paused.consumedMinutes, 30);
    assert.equal(thresholds(paused, cal), null);
    // paused for a whole day: still green
    assert.equal(lightOf(paused, at('2026-03-05T09:30:00'), cal), 'green');
    const resumed = resumeClock(paused, at('2026-03-03T09:00:00'));
    assert.deepEqual(thresholds(resumed, cal)!.deadline, at('2026-03-03T10:10:00'));
  });
  it('an approved extension moves the deadline', () => {
    const longer = extendClock(clock, 60);
    assert.deepEqual(thresholds(longer, cal)!.deadline, at('2026-03-02T11:40:00'));
    assert.equal(lightOf(longer, at('2026-03-02T10:40:00'), cal), 'green');
  });
});

describe('validateCalendar', () => {
  it('names the bad field', () => {
    assert.throws(
      () => validateCalendar({ ...cal, periods: [{ start: '12:00', end: '08:00' }] }),
      /ends before/,
    );
    assert.throws(() => validateCalendar({ ...cal, timeZone: 'Mars/Olympus' }), /time zone/);
    assert.throws(() => validateCalendar({ ...cal, holidays: ['1 May'] }), /YYYY-MM-DD/);
    assert.doesNotThrow(() => validateCalendar(cal));
  });
});

describe('local calendar fields', () => {
  it('match Intl at every step across the 2026 transitions of zones with odd offsets', () => {
    const zones = [
      'Asia/Shanghai',
      'America/New_York',
      'Europe/Berlin',
      'Australia/Lord_Howe', // a 30-minute daylight saving shift
      'Asia/Kathmandu', // +05:45
      'Pacific/Chatham', // +12:45 / +13:45
      'America/St_Johns', // -03:30 / -02:30
    ];
    for (const timeZone of zones) {
      const intl = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      // A year in steps of 7 min 13.5 s: every transition of 2026, in every zone, is crossed.
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 433_500) {
        const at = new Date(ms);
        const want: Record<string, number> = {};
        for (const p of intl.formatToParts(at)) if (p.type !== 'literal') want[p.type] = Number(p.value);
        const got = localParts(at, timeZone);
        if (
          got.year !== want.year ||
          got.month !== want.month ||
          got.day !== want.day ||
          got.hour !== want.hour ||
          got.minute !== want.minute ||
          got.second !== want.second
        )
          assert.fail(`${timeZone} at ${at.toISOString()}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
      }
    }
  });
});
