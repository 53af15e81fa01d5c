/** The dead letters of MQTT ingestion at `/api/v1/datahub/dead-letters`. */
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../identity/index.ts';
import type { Kernel } from '../../kernel/index.ts';
import { listDeadLetters } from '../dead-letters.ts';
import { security, tags } from './schemas.ts';

/** Registers the dead-letter route. */
export function registerDeadLetterRoutes(app: FastifyInstance, kernel: Kernel) {
  app.get(
    '/api/v1/datahub/dead-letters',
    {
      preHandler: requirePermission('device.write'),
      schema: {
        tags,
        summary: 'MQTT messages that could not be ingested, with the reason (newest first)',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            deviceId: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => ({
      items: await listDeadLetters(kernel.db, request.principal, request.query as { deviceId?: string }),
    }),
  );
}
