/**
 * The division hierarchy and its code rule: a division's code is its parent's code plus a
 * fixed number of digits, so "is inside" is a prefix check everywhere in the platform.
 */

export const DIVISION_LEVELS = ['city', 'district', 'street', 'community', 'grid'] as const;
/** city → district → street/township → community → unit grid (单元网格). */
export type DivisionLevel = (typeof DIVISION_LEVELS)[number];

/** Code length of each level: 3301 · 330102 · 330102001 · 330102001001 · 33010200100101. */
export const CODE_LENGTH: Readonly<Record<DivisionLevel, number>> = Object.freeze({
  city: 4,
  district: 6,
  street: 9,
  community: 12,
  grid: 14,
});

/** The level a code belongs to by its length, or null when no level has that length. */
export function levelOfCode(code: string): DivisionLevel | null {
  if (!/^\d+$/.test(code)) return null;
  return DIVISION_LEVELS.find((l) => CODE_LENGTH[l] === code.length) ?? null;
}

/** The code of the parent level implied by a code (null for a city). */
export function parentCodeOf(code: string): string | null {
  const level = levelOfCode(code);
  if (!level || level === 'city') return null;
  const parentLevel = DIVISION_LEVELS[DIVISION_LEVELS.indexOf(level) - 1];
  return code.slice(0, CODE_LENGTH[parentLevel]);
}

/** Depth of a level (city 0 … grid 4). */
export const depthOf = (level: DivisionLevel) => DIVISION_LEVELS.indexOf(level);
