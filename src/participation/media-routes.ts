/**
 * HTTP face of staff photo evidence: `POST /api/v1/media` (multipart, one photo) and
 * `GET /api/v1/media/:name?case=…`. Rules in staff-media.ts.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { requireAuthenticated } from '../identity/index.ts';
import { InvalidInputError } from '../kernel/index.ts';
import { multipartLimits, readMultipart } from './multipart-upload.ts';
import type { Participation } from './participation-context.ts';
import {
  assertMayUploadStaffMedia,
  readStaffMedia,
  STAFF_MEDIA_PATH,
  uploadStaffMedia,
} from './staff-media.ts';

const tags = ['media'];
const secured: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

export function registerMediaRoutes(app: FastifyInstance, p: () => Participation): void {
  app.register(async (scope) => {
    const limits = { maxBytes: p().settings.uploadMaxBytes, maxFiles: 1 };
    await scope.register(multipart, { limits: multipartLimits(limits) });

    scope.post(
      STAFF_MEDIA_PATH,
      {
        // The role check comes before the body is read: a citizen gets 403, not 400.
        preHandler: [requireAuthenticated, async (request) => assertMayUploadStaffMedia(request.principal)],
        bodyLimit: limits.maxBytes + 64 * 1024,
        schema: {
          tags,
          summary: 'Upload a photo as evidence (handling, verification, grid patrol)',
          description:
            'multipart/form-data with one file `file`: JPEG, PNG or WebP, checked by content (415 when it is not, or lies about its type), at most UPLOAD_MAX_BYTES (413); location metadata is removed. Roles that handle, verify or patrol. Answers `{ id, url, type, size }`; cite `url` as `evidence` (handle, verify) or in `media` (patrol report).',
          security: secured,
        },
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new InvalidInputError(
            'Send the photo as multipart/form-data.',
            { field: 'file' },
            'media.one_file',
          );
        const { files } = await readMultipart(request, limits);
        return reply.status(201).send(await uploadStaffMedia(p(), request.principal, files));
      },
    );

    scope.get(
      `${STAFF_MEDIA_PATH}/:name`,
      {
        preHandler: requireAuthenticated,
        schema: {
          tags,
          summary: 'A staff photo, through the case that cites it',
          description:
            'The caller must see the case `case` (id or number) and that case must cite the photo (in its media or in the evidence of an action); otherwise 404.',
          security: secured,
          params: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 80 } },
          },
          querystring: {
            type: 'object',
            properties: { case: { type: 'string', minLength: 1, maxLength: 64 } },
          },
        },
      },
      async (request, reply) => {
        const found = await readStaffMedia(
          p(),
          request.principal,
          (request.params as { name: string }).name,
          (request.query as { case?: string }).case,
        );
        return reply
          .type(found.type)
          .header('cache-control', 'private, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .send(found.data);
      },
    );
  });
}
