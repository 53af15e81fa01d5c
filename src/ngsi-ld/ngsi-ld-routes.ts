/**
 * The HTTP binding of NGSI-LD (ETSI GS CIM 009 §6) at `/ngsi-ld/v1/`: content types and
 * negotiation, the JSON-LD context of each request (Link header or inline `@context`),
 * parameters, and responses. Handlers read parameters, call one service, and answer.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { actorOf, authenticatePublic, requirePermission } from '../identity/index.ts';
import { assertJsonDepth, INT4_MAX } from '../kernel/index.ts';
import { LOCATION_IRI, renderEntity } from './entity-model.ts';
import type { BatchItem, BatchResult, EntityService, UpdateResult } from './entity-service.ts';
import type { EntityQuery } from './entity-store.ts';
import { attributeDetails, typeDetails } from './entity-store.ts';
import { compileClientPattern } from './client-pattern.ts';
import { parseGeoQuery } from './geo.ts';
import {
  type ActiveContext,
  bodyContextOf,
  type ContextRef,
  type ContextResolver,
  compactIri,
  contextFromLinkHeader,
  expandTerm,
  linkHeaderFor,
  linkUrlOf,
} from './json-ld-context.ts';
import { NgsiLdError, sendJson } from './ngsi-ld-errors.ts';
import type { NgsiLdSettings } from './ngsi-ld-settings.ts';
import { parseQuery } from './query-language.ts';
import type { SubscriptionService } from './subscription-service.ts';
import { renderTemporal, type TemporalQuery, type TemporalService } from './temporal-service.ts';

export interface NgsiLdServices {
  settings: NgsiLdSettings;
  resolver: ContextResolver;
  entities: EntityService;
  subscriptions: SubscriptionService;
  temporal: TemporalService;
}

type Media = 'json' | 'ld';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the NGSI-LD preHandler: the request's context and the negotiated response type. */
    ngsi?: { ctx: ActiveContext; media: Media };
  }
}

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json'];

function mediaOf(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/** Content negotiation on Accept (§6.3.6): application/json or application/ld+json, by q-value. */
export function negotiate(accept: string | undefined): Media | null {
  if (!accept) return 'json';
  let best: { media: Media; q: number; order: number } | null = null;
  accept.split(',').forEach((part, order) => {
    const [range, ...params] = part.trim().split(';');
    const q = Number(params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((x) => x !== undefined) ?? 1);
    const r = range.trim().toLowerCase();
    const media: Media | null =
      r === 'application/ld+json'
        ? 'ld'
        : r === 'application/json' || r === 'application/*' || r === '*/*'
          ? 'json'
          : null;
    if (!media || !(q > 0)) return;
    if (!best || q > best.q) best = { media, q, order };
  });
  return (best as { media: Media } | null)?.media ?? null;
}

/** A path segment for a URI id: ':' stays readable (RFC 3986 allows it in segments). */
const segment = (id: string) => encodeURIComponent(id).replace(/%3A/gi, ':');

function first(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined ? undefined : String(v);
}

function list(v: unknown): string[] | undefined {
  const s = Array.isArray(v) ? v.join(',') : (v as string | undefined);
  if (s === undefined) return undefined;
  const items = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

function intParam(v: unknown, name: string, fallback: number): number {
  const s = first(v);
  if (s === undefined) return fallback;
  // Beyond PostgreSQL's integer, an offset or a count is no longer a number the store takes.
  if (!/^\d+$/.test(s) || Number(s) > INT4_MAX)
    throw new NgsiLdError('BadRequestData', `${name} must be an integer from 0 to ${INT4_MAX}.`);
  return Number(s);
}

function options(query: Record<string, unknown>): Set<string> {
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

function validRegex(pattern: string | undefined, name: string): string | undefined {
  if (pattern !== undefined) compileClientPattern(pattern, name);
  return pattern;
}

/** Registers the NGSI-LD routes under `/ngsi-ld/v1`. */
export function registerNgsiLdRoutes(app: FastifyInstance, s: NgsiLdServices): void {
  const read: preHandlerAsyncHookHandler = s.settings.publicRead
    ? authenticatePublic
    : requirePermission('device.read');
  const write = requirePermission('device.write');

  /** Resolves the request's context and the response media type. */
  const prepare: preHandlerAsyncHookHandler = async (request) => {
    const tenant = request.headers['ngsild-tenant'];
    if (typeof tenant === 'string' && tenant !== '')
      throw new NgsiLdError('NoMultiTenantSupport', 'This broker has no multi-tenancy support.');
    const media = negotiate(request.headers.accept);
    if (!media)
      throw new NgsiLdError(
        'NotAcceptable',
        'Only application/json and application/ld+json responses are available.',
      );
    const contentType = mediaOf(request);
    const link = contextFromLinkHeader(request.headers.link);
    const body = request.body;
    let refs: ContextRef[] = [];
    if (body !== undefined && (request.method === 'POST' || request.method === 'PATCH')) {
      if (contentType === 'application/ld+json') {
        if (link)
          throw new NgsiLdError(
            'BadRequestData',
            'A Link context header is not allowed with application/ld+json.',
          );
        if (!Array.isArray(body)) {
          const inline = (body as Record<string, unknown>)?.['@context'];
          if (inline === undefined)
            throw new NgsiLdError('BadRequestData', 'application/ld+json bodies need an @context.');
          refs = (Array.isArray(inline) ? inline : [inline]) as ContextRef[];
        }
      } else {
        const items = Array.isArray(body) ? body : [body];
        if (items.some((i) => i && typeof i === 'object' && '@context' in (i as object)))
          throw new NgsiLdError(
            'BadRequestData',
            'An @context in the body needs Content-Type application/ld+json.',
          );
        if (link) refs = [link];
      }
    } else if (link) refs = [link];
    request.ngsi = { ctx: await s.resolver.resolve(refs), media };
  };

  /** Per-element contexts of a batch body (ld+json elements each carry their own). */
  const batchItems = async (request: FastifyRequest): Promise<BatchItem[]> => {
    const body = request.body;
    if (!Array.isArray(body)) throw new NgsiLdError('BadRequestData', 'A batch body must be a JSON array.');
    const ld = mediaOf(request) === 'application/ld+json';
    const out: BatchItem[] = [];
    for (const raw of body) {
      let ctx = request.ngsi!.ctx;
      if (ld) {
        const inline = (raw as Record<string, unknown> | null)?.['@context'];
        if (inline === undefined)
          throw new NgsiLdError('BadRequestData', 'Each ld+json batch element needs an @context.');
        ctx = await s.resolver.resolve((Array.isArray(inline) ? inline : [inline]) as ContextRef[]);
      }
      out.push({ raw, ctx });
    }
    return out;
  };

  const respond = (request: FastifyRequest, reply: FastifyReply, status: number, payload: unknown) => {
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

  const batchReply = (reply: FastifyReply, result: BatchResult, okStatus: 201 | 204, okBody?: unknown) => {
    if (result.errors.length) return sendJson(reply, 207, { success: result.success, errors: result.errors });
    if (okStatus === 204) return reply.status(204).send();
    return sendJson(reply, 201, okBody ?? result.success);
  };

  const updateReply = (reply: FastifyReply, result: UpdateResult) =>
    result.notUpdated.length ? sendJson(reply, 207, result) : reply.status(204).send();

  const principalId = (request: FastifyRequest) => request.principal?.id ?? 'anonymous';

  app.register(
    async (r) => {
      r.removeAllContentTypeParsers();
      r.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
        if (body === '') return done(null, undefined);
        try {
          assertJsonDepth(body as string, app.kernel.config.bodyMaxDepth);
        } catch (err) {
          return done(err as Error, undefined);
        }
        try {
          done(null, JSON.parse(body as string));
        } catch (err) {
          done(
            new NgsiLdError('InvalidRequest', `The body is not valid JSON: ${(err as Error).message}`),
            undefined,
          );
        }
      });
      r.addContentTypeParser('*', (request, _payload, done) =>
        done(
          new NgsiLdError(
            'UnsupportedMediaType',
            `Content-Type ${mediaOf(request) || '(none)'} is not supported; use application/json or application/ld+json.`,
          ),
          undefined,
        ),
      );
      const R = { preHandler: [read, prepare] };
      const W = { preHandler: [write, prepare] };

      // ------------------------------------------------------------------ entities
      r.post('/entities', W, async (request, reply) => {
        const e = await s.entities.create(request.ngsi!.ctx, request.body);
        return reply
          .status(201)
          .header('location', `/ngsi-ld/v1/entities/${segment(e.id)}`)
          .send();
      });

      r.get('/entities', R, async (request, reply) => {
        const q = request.query as Record<string, unknown>;
        const ctx = request.ngsi!.ctx;
        const opts = options(q);
        const query = entityQueryOf(ctx, q, s.settings.maxLimit, opts);
        const { entities, count } = await s.entities.query(query);
        if (count !== null) reply.header('NGSILD-Results-Count', String(count));
        const attrs = query.attrs ? new Set(query.attrs) : null;
        return respond(
          request,
          reply,
          200,
          entities.map((e) =>
            renderEntity(ctx, e, { keyValues: opts.has('keyValues'), sysAttrs: opts.has('sysAttrs'), attrs }),
          ),
        );
      });

      r.get<{ Params: { entityId: string } }>('/entities/:entityId', R, async (request, reply) => {
        const q = request.query as Record<string, unknown>;
        const ctx = request.ngsi!.ctx;
        const opts = options(q);
        const attrNames = list(q.attrs);
        const e = await s.entities.retrieve(request.params.entityId);
        const attrs = attrNames ? new Set(attrNames.map((a) => expandTerm(ctx, a))) : null;
        return respond(
          request,
          reply,
          200,
          renderEntity(ctx, e, { keyValues: opts.has('keyValues'), sysAttrs: opts.has('sysAttrs'), attrs }),
        );
      });

      r.delete<{ Params: { entityId: string } }>('/entities/:entityId', W, async (request, reply) => {
        await s.entities.delete(request.params.entityId);
        return reply.status(204).send();
      });

      r.post<{ Params: { entityId: string } }>('/entities/:entityId/attrs', W, async (request, reply) => {
        const opts = options(request.query as Record<string, unknown>);
        const result = await s.entities.appendAttrs(
          request.ngsi!.ctx,
          request.params.entityId,
          request.body,
          opts.has('noOverwrite'),
        );
        return updateReply(reply, result);
      });

      r.patch<{ Params: { entityId: string } }>('/entities/:entityId/attrs', W, async (request, reply) => {
        const result = await s.entities.updateAttrs(request.ngsi!.ctx, request.params.entityId, request.body);
        return updateReply(reply, result);
      });

      r.patch<{ Params: { entityId: string; attrId: string } }>(
        '/entities/:entityId/attrs/:attrId',
        W,
        async (request, reply) => {
          await s.entities.partialAttrUpdate(
            request.ngsi!.ctx,
            request.params.entityId,
            request.params.attrId,
            request.body,
          );
          return reply.status(204).send();
        },
      );

      r.delete<{ Params: { entityId: string; attrId: string } }>(
        '/entities/:entityId/attrs/:attrId',
        W,
        async (request, reply) => {
          await s.entities.deleteAttr(request.ngsi!.ctx, request.params.entityId, request.params.attrId);
          return reply.status(204).send();
        },
      );

      // ------------------------------------------------------------------ batch operations
      r.post('/entityOperations/create', W, async (request, reply) =>
        batchReply(reply, await s.entities.batchCreate(await batchItems(request)), 201),
      );
      r.post('/entityOperations/upsert', W, async (request, reply) => {
        const opts = options(request.query as Record<string, unknown>);
        const result = await s.entities.batchUpsert(
          await batchItems(request),
          opts.has('update') ? 'update' : 'replace',
        );
        if (!result.errors.length && result.created.length) return sendJson(reply, 201, result.created);
        return batchReply(reply, result, 204);
      });
      r.post('/entityOperations/update', W, async (request, reply) => {
        const opts = options(request.query as Record<string, unknown>);
        return batchReply(
          reply,
          await s.entities.batchUpdate(await batchItems(request), opts.has('noOverwrite')),
          204,
        );
      });
      r.post('/entityOperations/delete', W, async (request, reply) => {
        if (!Array.isArray(request.body))
          throw new NgsiLdError('BadRequestData', 'A batch delete body is an array of ids.');
        return batchReply(reply, await s.entities.batchDelete(request.body), 204);
      });

      // ------------------------------------------------------------------ subscriptions
      r.post('/subscriptions', W, async (request, reply) => {
        const id = await s.subscriptions.create(
          request.ngsi!.ctx,
          request.body,
          principalId(request),
          String(request.id),
        );
        return reply
          .status(201)
          .header('location', `/ngsi-ld/v1/subscriptions/${segment(id)}`)
          .send();
      });
      r.get('/subscriptions', W, async (request, reply) => {
        const q = request.query as Record<string, unknown>;
        const opts = options(q);
        const limit = intParam(q.limit, 'limit', 20);
        if (limit > s.settings.maxLimit)
          throw new NgsiLdError('TooManyResults', `limit may be at most ${s.settings.maxLimit}.`);
        const { items, total } = await s.subscriptions.list(
          request.ngsi!.ctx,
          limit,
          intParam(q.offset, 'offset', 0),
          opts.has('sysAttrs'),
        );
        if (first(q.count) === 'true' || opts.has('count'))
          reply.header('NGSILD-Results-Count', String(total));
        return respond(request, reply, 200, items);
      });
      r.get<{ Params: { id: string } }>('/subscriptions/:id', W, async (request, reply) => {
        const opts = options(request.query as Record<string, unknown>);
        return respond(
          request,
          reply,
          200,
          await s.subscriptions.retrieve(request.ngsi!.ctx, request.params.id, opts.has('sysAttrs')),
        );
      });
      r.patch<{ Params: { id: string } }>('/subscriptions/:id', W, async (request, reply) => {
        await s.subscriptions.update(
          request.ngsi!.ctx,
          request.params.id,
          request.body,
          principalId(request),
          String(request.id),
        );
        return reply.status(204).send();
      });
      r.delete<{ Params: { id: string } }>('/subscriptions/:id', W, async (request, reply) => {
        await s.subscriptions.delete(request.params.id, actorOf(request).principal.id, String(request.id));
        return reply.status(204).send();
      });

      // ------------------------------------------------------------------ discovery
      r.get('/types', R, async (request, reply) => {
        const ctx = request.ngsi!.ctx;
        const details = first((request.query as Record<string, unknown>).details) === 'true';
        const types = await typeDetails(s.entities.db);
        if (details)
          return respond(
            request,
            reply,
            200,
            types.map((t) => ({
              id: t.type,
              type: 'EntityType',
              typeName: compactIri(ctx, t.type),
              attributeNames: t.attrs.map((a) => compactIri(ctx, a.attr)),
            })),
          );
        return respond(request, reply, 200, {
          id: `urn:ngsi-ld:EntityTypeList:${randomUUID()}`,
          type: 'EntityTypeList',
          typeList: types.map((t) => compactIri(ctx, t.type)),
        });
      });
      r.get<{ Params: { type: string } }>('/types/:type', R, async (request, reply) => {
        const ctx = request.ngsi!.ctx;
        const iri = expandTerm(ctx, request.params.type);
        const [t] = await typeDetails(s.entities.db, iri);
        if (!t) throw new NgsiLdError('ResourceNotFound', `No entities of type ${request.params.type}.`);
        return respond(request, reply, 200, {
          id: t.type,
          type: 'EntityTypeInfo',
          typeName: compactIri(ctx, t.type),
          entityCount: t.count,
          attributeDetails: t.attrs.map((a) => ({
            id: a.attr,
            type: 'Attribute',
            attributeName: compactIri(ctx, a.attr),
            attributeTypes: a.attrTypes,
          })),
        });
      });
      r.get('/attributes', R, async (request, reply) => {
        const ctx = request.ngsi!.ctx;
        const details = first((request.query as Record<string, unknown>).details) === 'true';
        const attrs = await attributeDetails(s.entities.db);
        if (details)
          return respond(
            request,
            reply,
            200,
            attrs.map((a) => ({
              id: a.attr,
              type: 'Attribute',
              attributeName: compactIri(ctx, a.attr),
              typeNames: a.types.map((t) => compactIri(ctx, t)),
            })),
          );
        return respond(request, reply, 200, {
          id: `urn:ngsi-ld:AttributeList:${randomUUID()}`,
          type: 'AttributeList',
          attributeList: attrs.map((a) => compactIri(ctx, a.attr)),
        });
      });
      r.get<{ Params: { attr: string } }>('/attributes/:attr', R, async (request, reply) => {
        const ctx = request.ngsi!.ctx;
        const [a] = await attributeDetails(s.entities.db, expandTerm(ctx, request.params.attr));
        if (!a) throw new NgsiLdError('ResourceNotFound', `No entity has attribute ${request.params.attr}.`);
        return respond(request, reply, 200, {
          id: a.attr,
          type: 'Attribute',
          attributeName: compactIri(ctx, a.attr),
          attributeCount: a.count,
          attributeTypes: a.attrTypes,
          typeNames: a.types.map((t) => compactIri(ctx, t)),
        });
      });

      // ------------------------------------------------------------------ temporal
      r.post('/temporal/entities', W, async (request, reply) => {
        const { id, created } = await s.temporal.create(request.ngsi!.ctx, request.body);
        if (!created) return reply.status(204).send();
        return reply
          .status(201)
          .header('location', `/ngsi-ld/v1/temporal/entities/${segment(id)}`)
          .send();
      });
      r.get('/temporal/entities', R, async (request, reply) => {
        const q = request.query as Record<string, unknown>;
        const ctx = request.ngsi!.ctx;
        const opts = options(q);
        const query = temporalQueryOf(ctx, q, s.settings.maxLimit);
        if (!query.types && !query.ids && !query.idPattern && !query.attrs)
          throw new NgsiLdError('BadRequestData', 'A temporal query needs type, id, idPattern or attrs.');
        const entities = await s.temporal.query(query);
        return respond(
          request,
          reply,
          200,
          entities.map((e) =>
            renderTemporal(ctx, e, {
              temporalValues: opts.has('temporalValues'),
              sysAttrs: opts.has('sysAttrs'),
            }),
          ),
        );
      });
      r.get<{ Params: { entityId: string } }>('/temporal/entities/:entityId', R, async (request, reply) => {
        const q = request.query as Record<string, unknown>;
        const ctx = request.ngsi!.ctx;
        const opts = options(q);
        const query = temporalQueryOf(ctx, q, s.settings.maxLimit);
        const [e] = await s.temporal.query({
          ...query,
          ids: [request.params.entityId],
          types: undefined,
          idPattern: undefined,
          q: undefined,
          limit: 1,
          offset: 0,
        });
        if (!e)
          throw new NgsiLdError('ResourceNotFound', `Temporal entity ${request.params.entityId} not found.`);
        return respond(
          request,
          reply,
          200,
          renderTemporal(ctx, e, {
            temporalValues: opts.has('temporalValues'),
            sysAttrs: opts.has('sysAttrs'),
          }),
        );
      });
    },
    { prefix: '/ngsi-ld/v1' },
  );
}

/** Reads the parameters of an entity query (§6.4.3.2). */
function entityQueryOf(
  ctx: ActiveContext,
  q: Record<string, unknown>,
  maxLimit: number,
  opts: Set<string>,
): EntityQuery {
  const types = list(q.type);
  if (types?.some((t) => /[;|()]/.test(t)))
    throw new NgsiLdError(
      'OperationNotSupported',
      'Type expressions other than a comma-separated list are not supported.',
    );
  const ids = list(q.id);
  const idPattern = validRegex(first(q.idPattern), 'idPattern');
  const attrs = list(q.attrs)?.map((a) => expandTerm(ctx, a));
  const qText = first(q.q);
  const geoproperty = first(q.geoproperty);
  const geo = parseGeoQuery(
    first(q.georel),
    first(q.geometry),
    first(q.coordinates),
    geoproperty ? expandTerm(ctx, geoproperty) : LOCATION_IRI,
  );
  if (!types && !ids && !idPattern && !attrs && !qText && !geo)
    throw new NgsiLdError(
      'BadRequestData',
      'A query needs at least one of type, id, idPattern, attrs, q or a geo-query.',
    );
  const limit = intParam(q.limit, 'limit', 20);
  if (limit > maxLimit) throw new NgsiLdError('TooManyResults', `limit may be at most ${maxLimit}.`);
  const count = first(q.count) === 'true' || opts.has('count');
  return {
    types: types?.map((t) => expandTerm(ctx, t)),
    ids,
    idPattern,
    q: qText !== undefined ? parseQuery(qText, ctx) : undefined,
    attrs,
    geo,
    limit,
    offset: intParam(q.offset, 'offset', 0),
    count,
  };
}

/** Reads the parameters of a temporal query (§6.18.3.2). */
function temporalQueryOf(ctx: ActiveContext, q: Record<string, unknown>, maxLimit: number): TemporalQuery {
  const timerel = first(q.timerel);
  const time = (name: string) => {
    const v = first(q[name]);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new NgsiLdError('BadRequestData', `${name} is not a date-time.`);
    return new Date(t);
  };
  const timeAt = time('timeAt');
  const endTimeAt = time('endTimeAt');
  if (timerel !== undefined) {
    if (!['before', 'after', 'between'].includes(timerel))
      throw new NgsiLdError('BadRequestData', 'timerel must be before, after or between.');
    if (!timeAt) throw new NgsiLdError('BadRequestData', 'timerel needs timeAt.');
    if (timerel === 'between' && !endTimeAt)
      throw new NgsiLdError('BadRequestData', 'timerel=between needs endTimeAt.');
    if (timerel === 'between' && endTimeAt! <= timeAt)
      throw new NgsiLdError('BadRequestData', 'endTimeAt must be after timeAt.');
  }
  const timeproperty = first(q.timeproperty) ?? 'observedAt';
  if (!['observedAt', 'createdAt', 'modifiedAt'].includes(timeproperty))
    throw new NgsiLdError('BadRequestData', 'timeproperty must be observedAt, createdAt or modifiedAt.');
  const lastN = first(q.lastN) === undefined ? undefined : intParam(q.lastN, 'lastN', 0);
  const limit = intParam(q.limit, 'limit', 20);
  if (limit > maxLimit) throw new NgsiLdError('TooManyResults', `limit may be at most ${maxLimit}.`);
  const qText = first(q.q);
  return {
    types: list(q.type)?.map((t) => expandTerm(ctx, t)),
    ids: list(q.id),
    idPattern: validRegex(first(q.idPattern), 'idPattern'),
    attrs: list(q.attrs)?.map((a) => expandTerm(ctx, a)),
    q: qText !== undefined ? parseQuery(qText, ctx) : undefined,
    timerel: timerel as TemporalQuery['timerel'],
    timeAt,
    endTimeAt,
    timeproperty: timeproperty as TemporalQuery['timeproperty'],
    lastN: lastN || undefined,
    limit,
    offset: intParam(q.offset, 'offset', 0),
  };
}
