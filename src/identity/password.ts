import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../kernel/index.ts';

/** scrypt cost parameters; stored with each hash so they can be raised later. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

/** Interactive-login parameters (RFC 7914 §2 recommends N=2^14 or more, r=8, p=1). */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 16384, r: 8, p: 1, keyLength: 32 });

const scryptAsync = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

const maxmem = (p: ScryptParams) => 128 * p.N * p.r * 2 + 1024 * 1024;

/** `scrypt$N$r$p$salt$hash` (salt and hash base64url): a per-user salt and its parameters. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, params.keyLength, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: maxmem(params),
  });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Compares in constant time; false for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scryptAsync(password, salt, expected.length, {
    N,
    r,
    p,
    maxmem: maxmem({ N, r, p, keyLength: 0 }),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches, verified when the account does not exist so timing does not tell. */
export const DUMMY_HASH = `scrypt$${DEFAULT_SCRYPT.N}$8$1$${'A'.repeat(22)}$${'A'.repeat(43)}`;

/** Passwords too common to accept even when long enough. */
const COMMON_PASSWORDS = new Set([
  'password123',
  'password1234',
  'passw0rd123',
  'p@ssw0rd123',
  'qwerty12345',
  'qwerty123456',
  'qwertyuiop1',
  '1234567890a',
  'a1234567890',
  'abc1234567',
  'abcd123456',
  'abc123456789',
  'admin12345',
  'admin123456',
  'administrator1',
  'welcome123',
  'welcome1234',
  'iloveyou123',
  'letmein1234',
  'changeme123',
  'onecity123',
  'onecity2026',
  'football123',
  'monkey12345',
  'dragon12345',
  'sunshine123',
  'woaini1314520',
  'woaini520520',
  'aa123456789',
  'zxcvbnm123',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
]);

/** The reasons a password fails the policy; empty when it passes. */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (typeof password !== 'string') return ['must be a string'];
  if ([...password].length < 10) problems.push('must be at least 10 characters long');
  if (password.length > 256) problems.push('must be at most 256 characters long');
  if (!/\p{L}/u.test(password)) problems.push('must contain a letter');
  if (!/\p{Nd}/u.test(password)) problems.push('must contain a digit');
  const lower = password.toLowerCase();
  if (username && lower.includes(username.toLowerCase())) problems.push('must not contain the username');
  if (COMMON_PASSWORDS.has(lower)) problems.push('is too common');
  return problems;
}

/** Throws `password.too_weak` (400) listing every rule the password breaks. */
export function assertPasswordPolicy(password: string, username: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length)
    throw new InvalidInputError(
      `The password is too weak: it ${problems.join(', ')}.`,
      { problems },
      'password.too_weak',
    );
}

/** A random password that passes the policy (for the first admin and demo users). */
export function generatePassword(): string {
  // 18 base64url characters plus a fixed letter-digit pair so both classes are present.
  return `${randomBytes(14).toString('base64url').slice(0, 18)}a7`;
}
