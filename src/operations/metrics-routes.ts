import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requirePermission, routeAccess } from '../identity/index.ts';
import type { PlatformMetrics } from './metrics.ts';

const checkPermission = requirePermission('metrics.read');

/** True when the request carries `Authorization: Bearer <token>`, compared in constant time. */
function bearsToken(request: FastifyRequest, token: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  return given.length === token.length && timingSafeEqual(given, token);
}

/**
 * `GET /metrics` in the Prometheus text format, for holders of `metrics.read` (admins,
 * auditors, API keys scoped to it) or, when `METRICS_TOKEN` is set, a scraper sending it
 * as a bearer token. Every answered request is counted by route template and status.
 */
export function registerMetricsRoutes(app: FastifyInstance, metrics: PlatformMetrics, token: string | null) {
  app.addHook('onResponse', async (request, reply) => {
    metrics.http.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  const tokenBytes = token ? Buffer.from(token) : null;
  app.get(
    '/metrics',
    {
      config: routeAccess('metrics.read'),
      preHandler: async function metricsAccess(request, reply) {
        if (tokenBytes && bearsToken(request, tokenBytes)) return;
        await checkPermission.call(this, request, reply);
      },
      schema: {
        tags: ['operations'],
        summary:
          'Prometheus metrics: process, HTTP, cases, scheduler, data hub, live streams, audit head (docs/operations.md)',
        security: [{ bearer: [] }, { apiKey: [] }],
        response: {
          200: {
            description: 'Prometheus text exposition format 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(await metrics.render()),
  );
}
