/**
 * Regular expressions written by clients (`idPattern`, the `~=` and `!~=` operators of `q`)
 * run twice: as PostgreSQL regular expressions in entity and temporal queries, and in
 * JavaScript when subscriptions are matched. Neither may let one request hold the server:
 * V8's backtracking engine takes seconds on `^(a+)+$` against 25 a's and a `b` (and 20 s on
 * `.*x` against 100,000 characters); PostgreSQL's automaton grows with nested and unrolled
 * repetitions (`(.{1,200}){1,200}` took ~200 ms a row; `.{0,100}` written 28 times, 70 s
 * over 20,000 ids on PGlite). So a pattern is accepted only when it is short and simple,
 * and JavaScript runs it on V8's linear-time engine.
 *
 * Accepted: at most {@link MAX_PATTERN_LENGTH} characters; literals, `.`, `^`, `$`, `|`,
 * groups `(…)` and `(?:…)`, bracket expressions `[…]`, the escapes `\d \D \w \W \s \S \t
 * \n \r` and escaped punctuation, at most {@link MAX_QUANTIFIERS} quantifiers
 * `* + ? {n} {n,} {n,m}` (lazy or not), no quantifier inside a repeated group, and at most
 * {@link MAX_UNROLLED_SIZE} elements with the `{n,m}` repetitions unrolled. Refused:
 * backreferences, lookaround, named groups, other escapes (whose meaning differs between
 * the two engines, e.g. `\b`), POSIX classes `[[:alpha:]]`.
 */
import { setFlagsFromString } from 'node:v8';
import { NgsiLdError } from './ngsi-ld-errors.ts';

/** Longest pattern a client may send. */
export const MAX_PATTERN_LENGTH = 256;
/** Most quantifiers in one pattern. */
export const MAX_QUANTIFIERS = 16;
/** Largest size of a pattern with its `{n,m}` repetitions unrolled (`\d{4}` counts 4). */
export const MAX_UNROLLED_SIZE = 100;

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

/** An open group: its size so far (atoms, with `{n,m}` repetitions unrolled) and whether it holds a quantifier. */
interface Frame {
  size: number;
  holdsQuantifier: boolean;
}

/**
 * Walks the pattern once. Besides the forms refused outright it counts what drives
 * PostgreSQL's cost: the quantifiers, and the size of the pattern with every `{n,m}`
 * unrolled (`[a-z]{0,6}` counts 6), which its automaton grows with.
 */
function checkStructure(p: string, what: string): void {
  const frames: Frame[] = [{ size: 0, holdsQuantifier: false }];
  const top = () => frames[frames.length - 1];
  // The atom just read, for a quantifier after it; null where a quantifier would follow nothing.
  let last: Frame | null = null;
  let quantifiers = 0;
  let i = 0;
  const atom = () => {
    top().size += 1;
    last = { size: 1, holdsQuantifier: false };
  };
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      const next = p[i + 1];
      if (next === undefined) refuse(what, 'it ends with a lone backslash');
      if (/[0-9]/.test(next)) refuse(what, 'backreferences are not supported');
      if (/[A-Za-z]/.test(next) && !ESCAPES.has(next)) refuse(what, `the escape \\${next} is not supported`);
      i += 2;
      atom();
    } else if (c === '[') {
      i = skipBracket(p, i, what);
      atom();
    } else if (c === '(') {
      if (p[i + 1] === '?') {
        if (p[i + 2] !== ':') refuse(what, 'lookaround and named groups are not supported');
        i += 3;
      } else i += 1;
      frames.push({ size: 0, holdsQuantifier: false });
      last = null;
    } else if (c === ')') {
      if (frames.length === 1) refuse(what, 'a ")" closes no group');
      const group = frames.pop() as Frame;
      top().size += group.size;
      if (group.holdsQuantifier) top().holdsQuantifier = true;
      last = group;
      i += 1;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      const q = readQuantifier(p, i, what);
      const target: Frame | null = last;
      if (target === null) refuse(what, `the quantifier at ${i} follows nothing`);
      if (target.holdsQuantifier && q.repeats)
        refuse(what, 'a repeated group may not contain a quantifier (nested quantifiers)');
      if (++quantifiers > MAX_QUANTIFIERS) refuse(what, `it has more than ${MAX_QUANTIFIERS} quantifiers`);
      top().size += target.size * (q.unrolled - 1);
      top().holdsQuantifier = true;
      i = q.end;
      if (p[i] === '?') i += 1;
      // A quantifier cannot itself be quantified (`a**` is an error in both engines).
      last = null;
    } else {
      if (c === '|' || c === '^' || c === '$') last = null;
      else atom();
      i += 1;
    }
  }
  if (frames.length > 1) refuse(what, 'a group is not closed');
  if (frames[0].size > MAX_UNROLLED_SIZE)
    refuse(what, `it is larger than ${MAX_UNROLLED_SIZE} elements with its {n,m} repetitions unrolled`);
}

/**
 * Reads `* + ? {n} {n,} {n,m}` at `i`. `repeats` is false for those matching at most once;
 * `unrolled` is how many copies of the atom PostgreSQL's automaton holds for a bound.
 */
function readQuantifier(
  p: string,
  i: number,
  what: string,
): { end: number; repeats: boolean; unrolled: number } {
  const c = p[i];
  if (c === '?') return { end: i + 1, repeats: false, unrolled: 1 };
  if (c === '*' || c === '+') return { end: i + 1, repeats: true, unrolled: 1 };
  const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(p.slice(i));
  if (!m) refuse(what, `"{" at ${i} starts no {n,m} quantifier (write \\{ for the character)`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
  if (max < min) refuse(what, `{${min},${max}} counts down`);
  return {
    end: i + m[0].length,
    repeats: max > 1,
    unrolled: Math.max(1, Number.isFinite(max) ? max : min + 1),
  };
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

/** True when a client could send `pattern` today (stored patterns may predate the limits). */
export function isAcceptedPattern(pattern: string): boolean {
  try {
    compileClientPattern(pattern, 'pattern');
    return true;
  } catch {
    return false;
  }
}

/** Matches nothing: what a stored pattern that today's limits refuse becomes. */
const MATCHES_NOTHING = /[^\s\S]/;

/**
 * Compiles a pattern read back from storage (a subscription's `idPattern` or `q`). One
 * accepted before these limits and refused by them now matches nothing rather than
 * running on the backtracking engine.
 */
export function compileStoredPattern(pattern: string): RegExp {
  return isAcceptedPattern(pattern) ? compileClientPattern(pattern, 'pattern') : MATCHES_NOTHING;
}
