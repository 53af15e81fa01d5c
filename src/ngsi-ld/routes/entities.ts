/** NGSI-LD entities (ETSI GS CIM 009 §5.6, §5.7): create, query, retrieve, delete, attributes. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isUri, LOCATION_IRI, renderEntity } from '../entity-model.ts';
import type { UpdateResult } from '../entity-service.ts';
import type { EntityQuery } from '../entity-store.ts';
import { parseGeoQuery } from '../geo.ts';
import { type ActiveContext, expandTerm } from '../json-ld-context.ts';
import { NgsiLdError, sendJson } from '../ngsi-ld-errors.ts';
import { parseQuery } from '../query-language.ts';
import {
  collection,
  first,
  intParam,
  list,
  type NgsiLdGuards,
  type NgsiLdServices,
  options,
  respond,
  segment,
  validRegex,
} from './binding.ts';

const updateReply = (reply: FastifyReply, result: UpdateResult) =>
  result.notUpdated.length ? sendJson(reply, 207, result) : reply.status(204).send();

/** Registers the entity routes on the `/ngsi-ld/v1` scope. */
export function registerEntityRoutes(r: FastifyInstance, s: NgsiLdServices, { R, W }: NgsiLdGuards): void {
  for (const [path, o] of collection('/entities', W))
    r.post(path, o, async (request, reply) => {
      const e = await s.entities.create(request.ngsi!.ctx, request.body);
      return reply
        .status(201)
        .header('location', `/ngsi-ld/v1/entities/${segment(e.id)}`)
        .send();
    });

  for (const [path, o] of collection('/entities', R))
    r.get(path, o, async (request, reply) => {
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

  for (const [path, o] of collection('/entities/:entityId/attrs', W))
    r.post<{ Params: { entityId: string } }>(path, o, async (request, reply) => {
      const opts = options(request.query as Record<string, unknown>);
      const result = await s.entities.appendAttrs(
        request.ngsi!.ctx,
        request.params.entityId,
        request.body,
        opts.has('noOverwrite'),
      );
      return updateReply(reply, result);
    });

  for (const [path, o] of collection('/entities/:entityId/attrs', W))
    r.patch<{ Params: { entityId: string } }>(path, o, async (request, reply) => {
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
      // §6.7.3.2: `datasetId` names the instance to delete, `deleteAll=true` deletes them all.
      const q = request.query as Record<string, unknown>;
      const datasetId = first(q.datasetId);
      const deleteAll = first(q.deleteAll);
      if (deleteAll !== undefined && deleteAll !== 'true' && deleteAll !== 'false')
        throw new NgsiLdError('BadRequestData', 'deleteAll must be true or false.');
      if (datasetId !== undefined && !isUri(datasetId))
        throw new NgsiLdError('BadRequestData', 'datasetId must be a URI.');
      await s.entities.deleteAttr(request.ngsi!.ctx, request.params.entityId, request.params.attrId, {
        datasetId,
        deleteAll: deleteAll === 'true',
      });
      return reply.status(204).send();
    },
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
