/**
 * Every stable error code a service can throw is documented in docs/errors.md. Codes are
 * found in the source: the code argument of each `new XxxError(...)` of the kernel classes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

/** Argument index of the code in each kernel error class's constructor. */
const CODE_ARG: Record<string, number> = {
  DomainError: 1,
  InvalidInputError: 2,
  UnauthenticatedError: 1,
  ForbiddenError: 1,
  NotFoundError: 1,
  ConflictError: 1,
  PayloadTooLargeError: 1,
  UnsupportedMediaTypeError: 1,
  TooManyRequestsError: 2,
  UnavailableError: 1,
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes(`${path.sep}testing`)) out.push(p);
  }
  return out;
}

/** Splits the text after `(` into top-level arguments up to the matching `)`. */
function callArguments(text: string, start: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      current += ch;
      if (ch === '\\') {
        current += text[++i];
        continue;
      }
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      current += ch;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) {
        if (current.trim()) args.push(current.trim());
        return args;
      }
      depth--;
    }
    if (ch === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  return args;
}

/** Codes thrown in the source, with where. */
export function thrownCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new (\w+Error)\(/g)) {
      const index = CODE_ARG[m[1]];
      if (index === undefined) continue;
      const arg = callArguments(text, m.index! + m[0].length)[index];
      const literal = arg?.match(/^['"]([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)['"]$/);
      if (literal && !codes.has(literal[1])) codes.set(literal[1], path.relative(root, file));
    }
  }
  return codes;
}

describe('error catalogue', () => {
  it('documents every error code thrown in src/ in docs/errors.md', () => {
    const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/`([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)`/g)].map((m) => m[1]));
    const codes = thrownCodes();
    assert.ok(codes.size > 10, `found only ${codes.size} codes: is the scan broken?`);
    const missing = [...codes].filter(([code]) => !documented.has(code)).map(([c, f]) => `${c} (${f})`);
    assert.deepEqual(missing, [], `undocumented error codes:\n${missing.join('\n')}`);
  });
});
