/**
 * Human-readable case numbers: the city's local date `YYYYMMDD` and a 5-digit sequence of
 * that day, e.g. `2026030200017`. The sequence comes from the day's counter
 * (case-number-counter.ts).
 */

/** The case number of a day's sequence. Beyond 99,999 a day it grows a digit rather than wrapping. */
export function formatCaseNumber(day: string, seq: number): string {
  return `${day}${String(seq).padStart(5, '0')}`;
}
