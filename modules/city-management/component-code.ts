import type { CategoryDeclaration } from '#sdk';

/**
 * The 16-digit code of one component instance (部件编码): 6-digit administrative division
 * code (GB/T 2260, e.g. the district `330102`) + 2-digit major class + 2-digit minor class
 * + 6-digit serial number within that division and class. Pure functions, no I/O.
 */
export interface ComponentCodeParts {
  /** Six-digit administrative division code of the county-level division. */
  readonly division: string;
  /** Two-digit major class number, e.g. `01` public facilities. */
  readonly major: string;
  /** Two-digit minor class number within the major class. */
  readonly minor: string;
  /** Six-digit serial number, `000001`–`999999`. */
  readonly serial: string;
}

/** The outcome of {@link validateComponentCode}: the parts, or why the code is not valid. */
export type ComponentCodeCheck =
  | { readonly valid: true; readonly parts: ComponentCodeParts; readonly category?: string }
  | { readonly valid: false; readonly reason: string };

const DIGITS = /^\d+$/;

/** Splits a 16-digit code into its parts without checking the classes; throws on a malformed code. */
export function parseComponentCode(code: string): ComponentCodeParts {
  const check = checkShape(code);
  if (!check.valid) throw new RangeError(`Invalid component code: ${check.reason}`);
  return check.parts;
}

/** Joins parts into a 16-digit code; a numeric serial is zero-padded to six digits. */
export function formatComponentCode(parts: {
  division: string;
  major: string;
  minor: string;
  serial: string | number;
}): string {
  const serial = typeof parts.serial === 'number' ? String(parts.serial).padStart(6, '0') : parts.serial;
  const fields = [
    ['division', parts.division, 6],
    ['major class', parts.major, 2],
    ['minor class', parts.minor, 2],
    ['serial', serial, 6],
  ] as const;
  for (const [what, value, length] of fields)
    if (typeof value !== 'string' || value.length !== length || !DIGITS.test(value))
      throw new RangeError(
        `Invalid component code: ${what} must be ${length} digits (got ${JSON.stringify(value)})`,
      );
  const code = `${parts.division}${parts.major}${parts.minor}${serial}`;
  parseComponentCode(code);
  return code;
}

/**
 * Checks a component code. With `knownCategories` (component categories carrying
 * `classNumber`, e.g. the city-management catalogue) the major and minor classes must
 * exist there, and the matching minor class is returned as `category`.
 */
export function validateComponentCode(
  code: string,
  knownCategories?: readonly CategoryDeclaration[],
): ComponentCodeCheck {
  const check = checkShape(code);
  if (!check.valid || !knownCategories) return check;
  const { major, minor } = check.parts;
  const components = knownCategories.filter((c) => c.kind === 'component' && c.classNumber);
  const majorClass = components.find((c) => !c.parent && c.classNumber === major);
  if (!majorClass) return { valid: false, reason: `major class ${major} is not in the catalogue` };
  const minorClass = components.find((c) => c.parent === majorClass.code && c.classNumber === minor);
  if (!minorClass)
    return {
      valid: false,
      reason: `minor class ${minor} is not in major class ${major} (${majorClass.name.en}) of the catalogue`,
    };
  return { valid: true, parts: check.parts, category: minorClass.code };
}

/** The checks that need no catalogue: length, digits, division, classes not 00, serial not 0. */
function checkShape(code: unknown): ComponentCodeCheck {
  if (typeof code !== 'string') return { valid: false, reason: 'must be a string of 16 digits' };
  if (code.length !== 16)
    return { valid: false, reason: `must be 16 digits long (got ${code.length} characters)` };
  const bad = [...code].findIndex((ch) => ch < '0' || ch > '9');
  if (bad >= 0)
    return {
      valid: false,
      reason: `must contain digits only (found ${JSON.stringify(code[bad])} at position ${bad + 1})`,
    };
  const parts: ComponentCodeParts = {
    division: code.slice(0, 6),
    major: code.slice(6, 8),
    minor: code.slice(8, 10),
    serial: code.slice(10, 16),
  };
  // GB/T 2260 province-level codes run from 11 (Beijing) to 82 (Macao); a division code
  // whose county part is 0000 names a province, not a county-level division.
  const province = Number(parts.division.slice(0, 2));
  if (province < 11 || province > 82)
    return {
      valid: false,
      reason: `division code ${parts.division} does not start with a province code (11–82)`,
    };
  if (parts.division.endsWith('0000'))
    return {
      valid: false,
      reason: `division code ${parts.division} names a province, not a county-level division`,
    };
  if (parts.major === '00') return { valid: false, reason: 'major class 00 does not exist' };
  if (parts.minor === '00') return { valid: false, reason: 'minor class 00 does not exist' };
  if (parts.serial === '000000') return { valid: false, reason: 'serial number 000000 is not allowed' };
  return { valid: true, parts };
}
