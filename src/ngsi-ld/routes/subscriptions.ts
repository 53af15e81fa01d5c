/** NGSI-LD subscriptions (ETSI GS CIM 009 §5.8): create, list, retrieve, update, delete. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../../identity/index.ts';
import { NgsiLdError } from '../ngsi-ld-errors.ts';
import {
  collection,
  first,
  intParam,
  type NgsiLdGuards,
  type NgsiLdServices,
  options,
  respond,
  segment,
} from './binding.ts';

const principalId = (request: FastifyRequest) => request.principal?.id ?? 'anonymous';

/** Registers the subscription routes on the `/ngsi-ld/v1` scope. */
export function registerSubscriptionRoutes(r: FastifyInstance, s: NgsiLdServices, { W }: NgsiLdGuards): void {
  for (const [path, o] of collection('/subscriptions', W))
    r.post(path, o, async (request, reply) => {
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
  for (const [path, o] of collection('/subscriptions', W))
    r.get(path, o, async (request, reply) => {
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
      if (first(q.count) === 'true' || opts.has('count')) reply.header('NGSILD-Results-Count', String(total));
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
}
