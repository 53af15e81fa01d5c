import type { FastifyInstance } from 'fastify';

export interface ReadinessProbe {
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Names of migrations not yet applied. */
  pending(): Promise<string[]>;
}

/** `/healthz` (the process is alive) and `/readyz` (database reachable, schema current). */
export function registerHealthRoutes(app: FastifyInstance, probe: ReadinessProbe) {
  const ok = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;
  app.get(
    '/healthz',
    { logLevel: 'warn', schema: { tags: ['health'], summary: 'Liveness', response: { 200: ok } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: database reachable and migrations applied',
        response: {
          200: ok,
          503: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              reason: { type: 'string' },
              pendingMigrations: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      try {
        await probe.ping();
      } catch {
        return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
      }
      try {
        const pending = await probe.pending();
        if (pending.length > 0)
          return reply
            .status(503)
            .send({ status: 'unavailable', reason: 'migrations pending', pendingMigrations: pending });
      } catch {
        return reply.status(503).send({ status: 'unavailable', reason: 'migration state unreadable' });
      }
      return { status: 'ok' };
    },
  );
}
