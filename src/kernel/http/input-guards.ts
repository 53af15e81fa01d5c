/**
 * Input the storage cannot hold or the code cannot walk is refused at the door, once for
 * every route, before it reaches a service: strings with U+0000 or an unpaired surrogate
 * (PostgreSQL text and jsonb hold neither; a lone surrogate would be stored as U+FFFD),
 * numbers that are not finite, integers beyond what a PostgreSQL `integer` holds, and JSON
 * nested deeper than a limit (recursive code would overflow the stack). Each is a 400 in
 * the interface's error format.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInputError } from '../errors.ts';

/** PostgreSQL `integer` bounds: an integer schema without its own bounds gets these. */
export const INT4_MAX = 2_147_483_647;
const INT4_MIN = -2_147_483_648;

declare global {
  interface String {
    /** ES2024: no unpaired surrogate (Node 20 has it; TypeScript's ES2023 lib does not). */
    isWellFormed(): boolean;
  }
}

/** Whether a string holds U+0000 or an unpaired surrogate. */
const unstorable = (s: string) => s.includes('\u0000') || !s.isWellFormed();

/** What is wrong with a value found by {@link findUnfitValue}. */
export interface UnfitValue {
  /** JSON pointer of the value inside the walked input. */
  path: string;
  problem: 'text' | 'number';
}

/**
 * The first value inside `value` the platform cannot keep: a string (value or object key)
 * with U+0000 or an unpaired surrogate, or a number that is not finite (JSON's 1e309, or a
 * query's "1e309" after schema coercion; JSON.stringify would write it as null). Null when
 * there is none.
 */
export function findUnfitValue(value: unknown): UnfitValue | null {
  const trail: string[] = [];
  const problem = unfitIn(value, trail);
  if (!problem) return null;
  const path = trail
    .reverse()
    .map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
  return { path: path || '/', problem };
}

/** The walk behind {@link findUnfitValue}; on a find, `trail` gets the keys from the value up. */
function unfitIn(v: unknown, trail: string[]): UnfitValue['problem'] | null {
  if (typeof v === 'string') return unstorable(v) ? 'text' : null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : 'number';
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = unfitIn(v[i], trail);
      if (found) {
        trail.push(String(i));
        return found;
      }
    }
    return null;
  }
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const found = unstorable(k) ? 'text' : unfitIn((v as Record<string, unknown>)[k], trail);
    if (found) {
      trail.push(k);
      return found;
    }
  }
  return null;
}

/** Whether the JSON text opens more than `maxDepth` arrays and objects inside one another. */
export function jsonNestedDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump over the string: to the next quote not escaped by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return false; // unterminated: the parser will say so
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Refuses JSON text nested deeper than `maxDepth` (code `body_too_deep`). */
export function assertJsonDepth(text: string, maxDepth: number): void {
  if (jsonNestedDeeperThan(text, maxDepth))
    throw new InvalidInputError(
      `The JSON body nests arrays and objects more than ${maxDepth} levels deep.`,
      { maxDepth },
      'body_too_deep',
    );
}

type JsonSchema = Record<string, unknown>;
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];

/**
 * A copy of a request schema in which every integer without its own `minimum` or
 * `maximum` gets PostgreSQL `integer`'s: 1e20 or a 20-digit id becomes a 400 instead of an
 * "out of range" from the database. Schemas of values stored as `bigint` say
 * `maximum: Number.MAX_SAFE_INTEGER` themselves.
 */
export function withIntegerBounds<T>(schema: T): T {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = { ...(schema as JsonSchema) };
  const types = [s.type].flat();
  if (types.includes('integer')) {
    s.minimum ??= INT4_MIN;
    s.maximum ??= INT4_MAX;
  }
  for (const key of SUBSCHEMAS) if (s[key] && typeof s[key] === 'object') s[key] = withIntegerBounds(s[key]);
  for (const key of SUBSCHEMA_LISTS)
    if (Array.isArray(s[key])) s[key] = (s[key] as unknown[]).map((x) => withIntegerBounds(x));
  for (const key of SUBSCHEMA_MAPS)
    if (s[key] && typeof s[key] === 'object')
      s[key] = Object.fromEntries(
        Object.entries(s[key] as JsonSchema).map(([k, v]) => [k, withIntegerBounds(v)]),
      );
  return s as T;
}

/**
 * Throws the 400 for the first value {@link findUnfitValue} finds in a request's path
 * parameters, query or body (`invalid_character` or `invalid_number`, naming where). Routes
 * that read their body themselves (multipart forms) call it on what they read.
 */
export function assertFitInput(value: unknown, place: 'path' | 'query' | 'body'): void {
  const unfit = findUnfitValue(value);
  if (unfit === null) return;
  const where =
    place === 'body' ? `body at ${unfit.path}` : `${place} parameter ${unfit.path.split('/')[1] ?? ''}`;
  const details = { in: place, path: unfit.path };
  if (unfit.problem === 'text')
    throw new InvalidInputError(
      `The ${where} holds a NUL character (U+0000) or an unpaired surrogate; text cannot contain either.`,
      details,
      'invalid_character',
    );
  throw new InvalidInputError(`The ${where} is a number too large to represent.`, details, 'invalid_number');
}

/**
 * Installs the guards on a server before any route is added: integer bounds on every route's
 * request schemas, a JSON body parser with a nesting limit (Fastify's own parser after it,
 * which refuses `__proto__` and `constructor.prototype`), and a check of path, query and body
 * values after access guards and schema validation (so coerced numbers are seen) and before
 * any route's own pre-handlers and handler.
 */
export function installInputGuards(app: FastifyInstance, options: { maxJsonDepth: number }): void {
  app.addHook('onRoute', (route) => {
    if (!route.schema) return;
    const schema = { ...route.schema };
    for (const part of ['params', 'querystring', 'body', 'headers'] as const)
      if (schema[part]) schema[part] = withIntegerBounds(schema[part]);
    route.schema = schema;
  });

  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonDepth(body as string, options.maxJsonDepth);
    } catch (err) {
      return done(err as Error, undefined);
    }
    return secureParse(request, body as string, done);
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    assertFitInput(request.params, 'path');
    assertFitInput(request.query, 'query');
    assertFitInput(request.body, 'body');
  });
}
