/**
 * Regular expressions written by clients (`idPattern`, the `~=` and `!~=` operators of `q`)
 * run twice: as PostgreSQL regular expressions in entity and temporal queries, and in
 * JavaScript when subscriptions are matched. Neither may let one request hold the server:
 * V8's backtracking engine takes seconds on `^(a+)+$` against 25 a's and a `b` (and 20 s on
 * `.*x` against 100,000 characters), and PostgreSQL's engine spends ~200 ms per row on
 * nested bounded repetitions such as `(.{1,200}){1,200}`. So a pattern is accepted only
 * when it is short and simple, and JavaScript runs it on V8's linear-time engine.
 *
 * Accepted: at most {@link MAX_PATTERN_LENGTH} characters; literals, `.`, `^`, `$`, `|`,
 * groups `(…)` and `(?:…)`, bracket expressions `[…]`, the escapes `\d \D \w \W \s \S \t
 * \n \r` and escaped punctuation, quantifiers `* + ? {n} {n,} {n,m}` (lazy or not) with
 * counts up to {@link MAX_REPEAT}, and no quantifier inside a repeated group. Refused:
 * backreferences, lookaround, named groups, other escapes (whose meaning differs between
 * the two engines, e.g. `\b`), POSIX classes `[[:alpha:]]`.
 */
import { setFlagsFromString } from 'node:v8';
import { NgsiLdError } from './ngsi-ld-errors.ts';

/** Longest pattern a client may send. */
export const MAX_PATTERN_LENGTH = 256;
/** Largest count in a `{n,m}` quantifier. */
export const MAX_REPEAT = 100;

/**
 * The `l` flag (V8's linear-time engine) needs a V8 flag; it only enables that flag and
 * changes no other regular expression. Without it (a runtime that dropped the engine),
 * patterns are still held to the limits above.
 */
const LINEAR_FLAG = (() => {
  try {
    setFlagsFromString('--enable-experimental-regexp-engine');
    // biome-ignore lint/complexity/useRegexLiterals: a literal with the flag would not even parse before the flag is set.
    new RegExp('a', 'l');
    return 'l';
  } catch {
    return '';
  }
})();

const ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 't', 'n', 'r']);
const BRACKET_ESCAPES = new Set(['d', 'w', 's', 't', 'n', 'r']);

function refuse(what: string, why: string): never {
  throw new NgsiLdError('BadRequestData', `${what} is not an accepted regular expression: ${why}.`);
}

/**
 * Checks a client's pattern and compiles it for JavaScript (linear time when available).
 * Throws BadRequestData naming `what` (e.g. `idPattern`) and the reason.
 */
export function compileClientPattern(pattern: string, what: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) refuse(what, `it is longer than ${MAX_PATTERN_LENGTH} characters`);
  checkStructure(pattern, what);
  try {
    return new RegExp(pattern, LINEAR_FLAG);
  } catch (err) {
    refuse(what, (err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

/** Walks the pattern once; each open group records whether it holds a quantifier. */
function checkStructure(p: string, what: string): void {
  const groups: boolean[] = [];
  // Whether the atom just read is a group holding a quantifier (for the quantifier after it).
  let lastAtomHoldsQuantifier: boolean | null = null;
  let i = 0;
  const quantified = () => {
    if (groups.length) groups[groups.length - 1] = true;
  };
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1];
      if (next === undefined) refuse(what, 'it ends with a lone backslash');
      if (/[0-9]/.test(next)) refuse(what, 'backreferences are not supported');
      if (/[A-Za-z]/.test(next) && !ESCAPES.has(next)) refuse(what, `the escape \\${next} is not supported`);
      i += 2;
      lastAtomHoldsQuantifier = false;
    } else if (c === '[') {
      i = skipBracket(p, i, what);
      lastAtomHoldsQuantifier = false;
    } else if (c === '(') {
      if (p[i + 1] === '?') {
        if (p[i + 2] !== ':') refuse(what, 'lookaround and named groups are not supported');
        i += 3;
      } else i += 1;
      groups.push(false);
      lastAtomHoldsQuantifier = null;
    } else if (c === ')') {
      if (!groups.length) refuse(what, 'a ")" closes no group');
      const held = groups.pop() as boolean;
      if (held) quantified();
      lastAtomHoldsQuantifier = held;
      i += 1;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      const q = readQuantifier(p, i, what);
      if (lastAtomHoldsQuantifier === null) refuse(what, `the quantifier at ${i} follows nothing`);
      if (lastAtomHoldsQuantifier && q.repeats)
        refuse(what, 'a repeated group may not contain a quantifier (nested quantifiers)');
      quantified();
      i = q.end;
      if (p[i] === '?') i += 1;
      // A quantifier cannot itself be quantified (`a**` is an error in both engines).
      lastAtomHoldsQuantifier = null;
    } else {
      lastAtomHoldsQuantifier = c === '|' || c === '^' || c === '$' ? null : false;
      i += 1;
    }
  }
  if (groups.length) refuse(what, 'a group is not closed');
}

/** Reads `* + ? {n} {n,} {n,m}` at `i`; `repeats` is false for those matching at most once. */
function readQuantifier(p: string, i: number, what: string): { end: number; repeats: boolean } {
  const c = p[i];
  if (c === '?') return { end: i + 1, repeats: false };
  if (c === '*' || c === '+') return { end: i + 1, repeats: true };
  const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(p.slice(i));
  if (!m) refuse(what, `"{" at ${i} starts no {n,m} quantifier (write \\{ for the character)`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
  if (min > MAX_REPEAT || (Number.isFinite(max) && max > MAX_REPEAT))
    refuse(what, `repetition counts go up to ${MAX_REPEAT}`);
  if (max < min) refuse(what, `{${min},${max}} counts down`);
  return { end: i + m[0].length, repeats: max > 1 };
}

/** Returns the index after the bracket expression starting at `i`. */
function skipBracket(p: string, i: number, what: string): number {
  let j = i + 1;
  if (p[j] === '^') j += 1;
  // JavaScript reads `[]` as an empty class, PostgreSQL as a class holding "]".
  if (p[j] === ']') refuse(what, 'write a "]" in a bracket expression as \\]');
  while (j < p.length && p[j] !== ']') {
    if (p[j] === '\\') {
      const next = p[j + 1];
      if (next === undefined) refuse(what, 'it ends with a lone backslash');
      // PostgreSQL refuses \D, \S and \W inside brackets.
      if (/[A-Za-z0-9]/.test(next) && !BRACKET_ESCAPES.has(next))
        refuse(what, `the escape \\${next} is not supported in a bracket expression`);
      j += 2;
      continue;
    }
    if (p[j] === '[' && /[:=.]/.test(p[j + 1] ?? '')) refuse(what, 'POSIX bracket classes are not supported');
    j += 1;
  }
  if (j >= p.length) refuse(what, 'a "[" is not closed');
  return j + 1;
}

/** Matches nothing: what a stored pattern that today's limits refuse becomes. */
const MATCHES_NOTHING = /[^\s\S]/;

/**
 * Compiles a pattern read back from storage (a subscription's `idPattern` or `q`). One
 * accepted before these limits and refused by them now matches nothing rather than
 * running on the backtracking engine.
 */
export function compileStoredPattern(pattern: string): RegExp {
  try {
    return compileClientPattern(pattern, 'stored pattern');
  } catch {
    return MATCHES_NOTHING;
  }
}
