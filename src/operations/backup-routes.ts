import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../identity/index.ts';
import type { Kernel } from '../kernel/index.ts';
import { createBackup, type UploadLocation } from './backup.ts';

/** `GET /api/v1/admin/backup`: a live backup of the embedded database and the uploads. */
export function registerBackupRoutes(
  app: FastifyInstance,
  kernel: Kernel,
  source: { version: string; uploads: () => UploadLocation },
) {
  app.get(
    '/api/v1/admin/backup',
    {
      preHandler: requirePermission('backup.create'),
      schema: {
        tags: ['operations'],
        summary:
          'Download a consistent backup (tar.gz) of the embedded database and the uploads while the server runs; restore it with `onecity restore` (docs/operations.md)',
        security: [{ bearer: [] }, { apiKey: [] }],
        response: {
          200: { description: 'The archive', content: { 'application/gzip': { schema: {} } } },
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const archive = await createBackup(
        { storage: kernel.storage, uploads: source.uploads(), version: source.version },
        actor,
      );
      const stamp = actor.now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z');
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="onecity-backup-${stamp}.tar.gz"`)
        .header('cache-control', 'no-store')
        .send(archive);
    },
  );
}
