/** The enabled plates, their categories and time limits: `GET /api/v1/modules`. */
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../identity/index.ts';
import type { Kernel } from '../kernel/index.ts';
import { moduleCatalog } from './module-catalog.ts';
import { secured } from './org-schemas.ts';

export function registerModuleRoutes(app: FastifyInstance, kernel: Kernel) {
  app.get(
    '/api/v1/modules',
    {
      preHandler: requirePermission('org.read'),
      schema: {
        tags: ['modules'],
        summary: 'Enabled plates with their case categories and time limits per urgency',
        security: secured,
      },
    },
    async (request) => moduleCatalog(kernel.modules, request.principal),
  );
}
