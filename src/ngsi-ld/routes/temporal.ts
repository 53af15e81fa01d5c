/** The NGSI-LD temporal API (ETSI GS CIM 009 §5.6.11–§5.6.12, §5.7.3–§5.7.4): temporal entities and their history. */
import type { FastifyInstance } from 'fastify';
import { type ActiveContext, expandTerm } from '../json-ld-context.ts';
import { NgsiLdError } from '../ngsi-ld-errors.ts';
import { parseQuery } from '../query-language.ts';
import { renderTemporal, type TemporalQuery } from '../temporal-service.ts';
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

/** Registers the temporal entity routes on the `/ngsi-ld/v1` scope. */
export function registerTemporalRoutes(r: FastifyInstance, s: NgsiLdServices, { R, W }: NgsiLdGuards): void {
  for (const [path, o] of collection('/temporal/entities', W))
    r.post(path, o, async (request, reply) => {
      const { id, created } = await s.temporal.create(request.ngsi!.ctx, request.body);
      if (!created) return reply.status(204).send();
      return reply
        .status(201)
        .header('location', `/ngsi-ld/v1/temporal/entities/${segment(id)}`)
        .send();
    });
  for (const [path, o] of collection('/temporal/entities', R))
    r.get(path, o, async (request, reply) => {
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
