import type { CategoryDeclaration } from '#sdk';

type TimeLimits = NonNullable<CategoryDeclaration['timeLimits']>;

/**
 * Working-time limits are counted in working minutes. One working day is 450 minutes,
 * the length of the platform's default working calendar (08:30–12:00 and 13:30–17:30);
 * a city that configures other working hours should scale these with it.
 */
const WORKING_DAY = 450;
const HOUR = 60;

/**
 * Reference limits of docs/design.md#sla-clock: filing and dispatch within 10 minutes (urgent and
 * emergency) or 30 minutes (normal); on-site verification within 1 hour (urban);
 * handling 2 h (emergency), 24 h (utilities), 7 days (general), 15 days (complex).
 * Normal cases count working time; urgent and emergency cases count calendar time.
 */
const URGENT: TimeLimits[keyof TimeLimits] = {
  basis: 'calendar',
  minutes: { file: 10, dispatch: 10, accept: 30, handle: 24 * HOUR, verify: HOUR },
};
const EMERGENCY: TimeLimits[keyof TimeLimits] = {
  basis: 'calendar',
  minutes: { file: 10, dispatch: 10, accept: 15, handle: 2 * HOUR, verify: HOUR },
};

/** General matters: handled within 7 working days. */
export const GENERAL_LIMITS: TimeLimits = {
  normal: {
    basis: 'working',
    minutes: { file: 30, dispatch: 30, accept: HOUR, handle: 7 * WORKING_DAY, verify: HOUR },
  },
  urgent: URGENT,
  emergency: EMERGENCY,
};

/**
 * Utilities (water, drainage, gas, power, telecom, lighting): the 24-hour reference is
 * one working day for normal cases, 4 calendar hours when urgent.
 */
export const UTILITY_LIMITS: TimeLimits = {
  normal: {
    basis: 'working',
    minutes: { file: 30, dispatch: 30, accept: HOUR, handle: WORKING_DAY, verify: HOUR },
  },
  urgent: { basis: 'calendar', minutes: { ...URGENT.minutes, handle: 4 * HOUR } },
  emergency: EMERGENCY,
};

/** Complex matters (housing, land, illegal construction): 15 working days. */
export const COMPLEX_LIMITS: TimeLimits = {
  normal: {
    basis: 'working',
    minutes: { file: 30, dispatch: 30, accept: HOUR, handle: 15 * WORKING_DAY, verify: 2 * HOUR },
  },
  urgent: { basis: 'calendar', minutes: { ...URGENT.minutes, handle: 3 * 24 * HOUR } },
  emergency: EMERGENCY,
};

/** Emergencies (突发事件): even a "normal" one is handled within one working day. */
export const EMERGENCY_LIMITS: TimeLimits = {
  normal: {
    basis: 'working',
    minutes: { file: 10, dispatch: 10, accept: 30, handle: WORKING_DAY, verify: HOUR },
  },
  urgent: { basis: 'calendar', minutes: { ...URGENT.minutes, handle: 4 * HOUR } },
  emergency: EMERGENCY,
};
