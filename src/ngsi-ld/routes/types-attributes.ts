/** NGSI-LD discovery: the entity types and attributes in the broker. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { attributeDetails, typeDetails } from '../entity-store.ts';
import { compactIri, expandTerm } from '../json-ld-context.ts';
import { NgsiLdError } from '../ngsi-ld-errors.ts';
import { collection, first, type NgsiLdGuards, type NgsiLdServices, respond } from './binding.ts';

/** Registers the type and attribute discovery routes on the `/ngsi-ld/v1` scope. */
export function registerTypeAndAttributeRoutes(
  r: FastifyInstance,
  s: NgsiLdServices,
  { R }: NgsiLdGuards,
): void {
  for (const [path, o] of collection('/types', R))
    r.get(path, o, async (request, reply) => {
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
  for (const [path, o] of collection('/attributes', R))
    r.get(path, o, async (request, reply) => {
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
}
