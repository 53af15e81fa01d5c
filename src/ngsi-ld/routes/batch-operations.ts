/** NGSI-LD batch entity operations (ETSI GS CIM 009 §5.6.7–§5.6.10): create, upsert, update, delete. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BatchItem, BatchResult } from '../entity-service.ts';
import type { ContextRef } from '../json-ld-context.ts';
import { NgsiLdError, sendJson } from '../ngsi-ld-errors.ts';
import { collection, mediaOf, type NgsiLdGuards, type NgsiLdServices, options } from './binding.ts';

const batchReply = (reply: FastifyReply, result: BatchResult, okStatus: 201 | 204, okBody?: unknown) => {
  if (result.errors.length) return sendJson(reply, 207, { success: result.success, errors: result.errors });
  if (okStatus === 204) return reply.status(204).send();
  return sendJson(reply, 201, okBody ?? result.success);
};

/** Registers the batch operation routes on the `/ngsi-ld/v1` scope. */
export function registerBatchOperationRoutes(
  r: FastifyInstance,
  s: NgsiLdServices,
  { W }: NgsiLdGuards,
): void {
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

  for (const [path, o] of collection('/entityOperations/create', W))
    r.post(path, o, async (request, reply) =>
      batchReply(reply, await s.entities.batchCreate(await batchItems(request)), 201),
    );
  for (const [path, o] of collection('/entityOperations/upsert', W))
    r.post(path, o, async (request, reply) => {
      const opts = options(request.query as Record<string, unknown>);
      const result = await s.entities.batchUpsert(
        await batchItems(request),
        opts.has('update') ? 'update' : 'replace',
      );
      if (!result.errors.length && result.created.length) return sendJson(reply, 201, result.created);
      return batchReply(reply, result, 204);
    });
  for (const [path, o] of collection('/entityOperations/update', W))
    r.post(path, o, async (request, reply) => {
      const opts = options(request.query as Record<string, unknown>);
      return batchReply(
        reply,
        await s.entities.batchUpdate(await batchItems(request), opts.has('noOverwrite')),
        204,
      );
    });
  for (const [path, o] of collection('/entityOperations/delete', W))
    r.post(path, o, async (request, reply) => {
      if (!Array.isArray(request.body))
        throw new NgsiLdError('BadRequestData', 'A batch delete body is an array of ids.');
      return batchReply(reply, await s.entities.batchDelete(request.body), 204);
    });
}
