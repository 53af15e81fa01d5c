import { hasPermission, type Principal } from './permissions.ts';

/** True when the principal may see citizens' personal data unmasked (`pii.read`). */
export function canSeePersonalData(principal: Principal): boolean {
  return hasPermission(principal, 'pii.read');
}

/** 张三丰 → 张**, Alice Smith → A**** (first character kept). */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return name ?? null;
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, Math.min(chars.length - 1, 4)))}`;
}

/** 13812341234 → 138****1234; short numbers keep only their last two digits. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length >= 11) return `${digits.slice(0, digits.length - 8)}****${digits.slice(-4)}`;
  if (digits.length <= 2) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** alice@example.org → a***@example.org */
export function maskEmail(email: string | null | undefined): string | null {
  if (!email) return email ?? null;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/**
 * Keeps the coarse part of an address (district, street, road) and hides the exact part
 * (building, unit, door number): 西湖区文三路 123号 5幢 → 西湖区文三路****.
 */
export function maskAddress(address: string | null | undefined): string | null {
  if (!address) return address ?? null;
  const firstDigit = address.search(/\d/);
  const keep = firstDigit > 0 ? firstDigit : Math.ceil([...address].length / 2);
  return `${[...address].slice(0, keep).join('').trimEnd()}****`;
}

/** Personal fields a service may hand out. */
export interface PersonalData {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
}

/** Returns the value as is for those who may see personal data, masked for everybody else. */
export function maskPersonalData<T extends PersonalData>(principal: Principal, value: T): T {
  if (canSeePersonalData(principal)) return value;
  const out = { ...value };
  if ('name' in out) out.name = maskName(out.name);
  if ('phone' in out) out.phone = maskPhone(out.phone);
  if ('email' in out) out.email = maskEmail(out.email);
  if ('address' in out) out.address = maskAddress(out.address);
  return out;
}
