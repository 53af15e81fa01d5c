/**
 * ISO 8601 date-times with the city's UTC offset (`2026-03-02T09:00:00+08:00`), as
 * GeoReport v2 examples write them, and parsing of the dates clients send.
 */
import { zonedParts } from '../kernel/index.ts';

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** The date-time in a time zone with its offset, to the second. */
export function isoWithOffset(date: Date | string, timeZone: string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  const p = zonedParts(d, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMinutes = Math.round((asUtc - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${off === '+00:00' ? 'Z' : off}`;
}

/** W3C date-time (ISO 8601) with a zone, or a bare date taken as UTC midnight; null when unparseable. */
export function parseDateTime(value: string): Date | null {
  const v = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return null;
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : v.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? null : d;
}
