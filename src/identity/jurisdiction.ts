import { NotFoundError } from '../kernel/index.ts';
import { CITY_WIDE_ROLES, type Principal } from './permissions.ts';

/** True when the principal sees the whole city: a city-wide role and no division codes. */
export function isCityWide(principal: Principal): boolean {
  return principal.divisionCodes.length === 0 && principal.roles.some((r) => CITY_WIDE_ROLES.includes(r));
}

/**
 * True when the division lies inside the principal's jurisdiction. Division codes are
 * hierarchical by prefix (docs/architecture.md), so "inside" is a prefix match.
 */
export function inJurisdiction(principal: Principal, divisionCode: string | null | undefined): boolean {
  if (isCityWide(principal)) return true;
  if (!divisionCode) return false;
  return principal.divisionCodes.some((scope) => divisionCode.startsWith(scope));
}

/** True when the principal belongs to one of the departments. */
export function inDepartments(principal: Principal, departmentCodes: readonly string[]): boolean {
  return departmentCodes.some((d) => principal.departmentCodes.includes(d));
}

/**
 * Throws NotFound when the division is outside the principal's jurisdiction, so that an
 * out-of-scope object looks exactly like a missing one (existence does not leak).
 */
export function assertInJurisdiction(
  principal: Principal,
  divisionCode: string | null | undefined,
  what: string,
): void {
  if (!inJurisdiction(principal, divisionCode)) throw new NotFoundError(`${what} not found.`);
}
