/**
 * What the NGSI-LD resources' routes share (ETSI GS CIM 009 §6): the services they call,
 * their two guards, the request parameters they read, and the answer in the negotiated media
 * type with the request's context.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { INT4_MAX } from '../../kernel/index.ts';
import { compileClientPattern } from '../client-pattern.ts';
import type { EntityService } from '../entity-service.ts';
import {
  type ActiveContext,
  bodyContextOf,
  type ContextResolver,
  linkHeaderFor,
  linkUrlOf,
} from '../json-ld-context.ts';
import { NgsiLdError, sendJson } from '../ngsi-ld-errors.ts';
import type { NgsiLdSettings } from '../ngsi-ld-settings.ts';
import type { SubscriptionService } from '../subscription-service.ts';
import type { TemporalService } from '../temporal-service.ts';

/** The broker's settings and services the routes call. */
export interface NgsiLdServices {
  settings: NgsiLdSettings;
  resolver: ContextResolver;
  entities: EntityService;
  subscriptions: SubscriptionService;
  temporal: TemporalService;
}

/** The route options of reading (`R`) and writing (`W`) routes: their guard, then `prepare`. */
export interface NgsiLdGuards {
  R: { preHandler: preHandlerAsyncHookHandler[] };
  W: { preHandler: preHandlerAsyncHookHandler[] };
}

/**
 * A collection resource's paths: as the specification writes them (clause 6: `entities/`,
 * `subscriptions/`, `entityOperations/create/` …, with the trailing slash) and without it,
 * served by the same handler. The slash form is hidden from the OpenAPI document so that
 * no path is listed twice.
 */
export function collection<O extends object>(path: string, options: O): Array<[string, O]> {
  return [
    [path, options],
    [`${path}/`, { ...options, schema: { hide: true } }],
  ];
}

/** The negotiated response type: application/json or application/ld+json. */
export type Media = 'json' | 'ld';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the NGSI-LD preHandler: the request's context and the negotiated response type. */
    ngsi?: { ctx: ActiveContext; media: Media };
  }
}

/** The request's media type, without parameters, in lower case ('' without a Content-Type). */
export function mediaOf(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/** A path segment for a URI id: ':' stays readable (RFC 3986 allows it in segments). */
export const segment = (id: string) => encodeURIComponent(id).replace(/%3A/gi, ':');

/** The last value of a query parameter given once or more. */
export function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined ? undefined : String(v);
}

/** The items of a comma-separated query parameter, or undefined when there are none. */
export function list(v: unknown): string[] | undefined {
  const s = Array.isArray(v) ? v.join(',') : (v as string | undefined);
  if (s === undefined) return undefined;
  const items = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

/** A non-negative integer query parameter, or `fallback` without one. */
export function intParam(v: unknown, name: string, fallback: number): number {
  const s = first(v);
  if (s === undefined) return fallback;
  // Beyond PostgreSQL's integer, an offset or a count is no longer a number the store takes.
  if (!/^\d+$/.test(s) || Number(s) > INT4_MAX)
    throw new NgsiLdError('BadRequestData', `${name} must be an integer from 0 to ${INT4_MAX}.`);
  return Number(s);
}

/** The `options` (and `format`) query parameters as a set; an unknown option is refused. */
export function options(query: Record<string, unknown>): Set<string> {
  const set = new Set(list(query.options) ?? []);
  const format = first(query.format);
  if (format === 'keyValues' || format === 'simplified') set.add('keyValues');
  for (const o of set)
    if (
      ![
        'keyValues',
        'simplified',
        'sysAttrs',
        'count',
        'noOverwrite',
        'replace',
        'update',
        'temporalValues',
        'normalized',
        'concise',
      ].includes(o)
    )
      throw new NgsiLdError('BadRequestData', `Unknown option ${o}.`);
  if (set.has('simplified')) set.add('keyValues');
  return set;
}

/** An `idPattern` as given, once it is known to compile as a client's pattern. */
export function validRegex(pattern: string | undefined, name: string): string | undefined {
  if (pattern !== undefined) compileClientPattern(pattern, name);
  return pattern;
}

/** Answers `payload` in the negotiated media type, with the request's context. */
export const respond = (request: FastifyRequest, reply: FastifyReply, status: number, payload: unknown) => {
  const { ctx, media } = request.ngsi!;
  if (media === 'ld') {
    const context = bodyContextOf(ctx);
    const withContext = (o: unknown) =>
      o && typeof o === 'object' && !Array.isArray(o) ? { ...(o as object), '@context': context } : o;
    return sendJson(
      reply,
      status,
      Array.isArray(payload) ? payload.map(withContext) : withContext(payload),
      'application/ld+json',
    );
  }
  reply.header('link', linkHeaderFor(linkUrlOf(ctx)));
  return sendJson(reply, status, payload);
};
