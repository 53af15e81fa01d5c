/**
 * The HTTP binding of NGSI-LD (ETSI GS CIM 009 §6) at `/ngsi-ld/v1/`: content types and
 * negotiation, the JSON-LD context of each request (Link header or inline `@context`), and
 * the guards; each resource's routes are in `routes/` (`routes/binding.ts` holds what they
 * share). Handlers read parameters, call one service, and answer.
 */
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { authenticatePublic, requirePermission } from '../identity/index.ts';
import { assertJsonDepth } from '../kernel/index.ts';
import { type ContextRef, contextFromLinkHeader } from './json-ld-context.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';
import { registerBatchOperationRoutes } from './routes/batch-operations.ts';
import { type Media, mediaOf, type NgsiLdGuards, type NgsiLdServices } from './routes/binding.ts';
import { registerEntityRoutes } from './routes/entities.ts';
import { registerSubscriptionRoutes } from './routes/subscriptions.ts';
import { registerTemporalRoutes } from './routes/temporal.ts';
import { registerTypeAndAttributeRoutes } from './routes/types-attributes.ts';

const JSON_TYPES = ['application/json', 'application/ld+json', 'application/merge-patch+json'];

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
      const guards: NgsiLdGuards = {
        R: { preHandler: [read, prepare] },
        W: { preHandler: [write, prepare] },
      };
      // In this order, which is the order of the paths in the OpenAPI document.
      registerEntityRoutes(r, s, guards);
      registerBatchOperationRoutes(r, s, guards);
      registerSubscriptionRoutes(r, s, guards);
      registerTypeAndAttributeRoutes(r, s, guards);
      registerTemporalRoutes(r, s, guards);
    },
    { prefix: '/ngsi-ld/v1' },
  );
}
