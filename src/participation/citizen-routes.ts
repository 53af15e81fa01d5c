/**
 * HTTP face of the citizen API (`/api/v1/citizen/…`), on the scope that also carries the
 * public board (`/api/v1/public/…`, `public-board-routes.ts`). Handlers read the request,
 * call one service and return.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SATISFACTION, type Satisfaction } from '../cases/index.ts';
import { authenticatePublic, requireAuthenticated } from '../identity/index.ts';
import {
  type CitizenReportFields,
  followReport,
  myReports,
  rateReport,
  submitCitizenReport,
} from './citizen-service.ts';
import { multipartLimits, readMultipart, type UploadedPhoto } from './multipart-upload.ts';
import { negotiateLanguage } from './open311-services.ts';
import { baseUrlOf } from './open311-routes.ts';
import type { Participation } from './participation-context.ts';
import { registerPublicBoardRoutes } from './public-board-routes.ts';
import type { ReportWriter } from './report-store.ts';

const tags = ['citizen'];
const refParams = {
  type: 'object',
  required: ['ref'],
  properties: {
    ref: { type: 'string', minLength: 1, maxLength: 64, description: 'Case number or follow token' },
  },
} as const;

/** Reads a multipart report (fields and photos) or a JSON one. */
async function readReport(
  request: FastifyRequest,
  p: Participation,
): Promise<{ fields: CitizenReportFields; photos: UploadedPhoto[] }> {
  if (!request.isMultipart()) return { fields: (request.body ?? {}) as CitizenReportFields, photos: [] };
  const { fields, files } = await readMultipart(request, uploadLimitsOf(p));
  return { fields: fields as CitizenReportFields, photos: files };
}

const uploadLimitsOf = (p: Participation) => ({
  maxBytes: p.settings.uploadMaxBytes,
  maxFiles: p.settings.uploadMaxFiles,
});

/** Registers the citizen API's routes, then the public board's (`public-board-routes.ts`), on one scope. */
export function registerCitizenRoutes(
  app: FastifyInstance,
  p: () => Participation,
  writer: () => ReportWriter,
  onQueued: () => void,
): void {
  app.register(async (scope) => {
    const settings = p().settings;
    await scope.register(multipart, { limits: multipartLimits(uploadLimitsOf(p())) });
    const lang = (r: FastifyRequest) => negotiateLanguage(r.headers['accept-language']);

    scope.post(
      '/api/v1/citizen/reports',
      {
        preHandler: authenticatePublic,
        bodyLimit: settings.uploadMaxBytes * settings.uploadMaxFiles + 256 * 1024,
        schema: {
          tags,
          summary: 'Report a problem with photos (multipart/form-data, or JSON without photos)',
          description:
            'Fields: service_code, lat, lon, address, description, name, phone, email, attribute[CODE]; files: photo (JPEG, PNG or WebP, checked by content; location metadata is removed). Answers the case number (or only the follow token when the report was queued: OPEN311_INTAKE_MODE queued, or auto under a burst) and the follow token.',
        },
      },
      async (request, reply) => {
        const { fields, photos } = await readReport(request, p());
        const result = await submitCitizenReport(
          p(),
          writer(),
          request.principal,
          fields,
          photos,
          request.ip,
          onQueued,
        );
        return reply.status(201).send(result);
      },
    );

    scope.get(
      '/api/v1/citizen/reports',
      { preHandler: requireAuthenticated, schema: { tags, summary: "The signed-in citizen's own reports" } },
      async (request) => myReports(p(), request.principal, lang(request)),
    );

    scope.get(
      '/api/v1/citizen/reports/:ref',
      {
        preHandler: authenticatePublic,
        schema: { tags, summary: 'Follow a report by case number or follow token', params: refParams },
      },
      async (request) =>
        followReport(
          p(),
          request.principal,
          (request.params as { ref: string }).ref,
          lang(request),
          baseUrlOf(p(), request),
        ),
    );

    scope.post(
      '/api/v1/citizen/reports/:ref/rating',
      {
        preHandler: authenticatePublic,
        schema: {
          tags,
          summary: 'Rate a closed report (its reporter: signed in, or with the follow token)',
          params: refParams,
          body: {
            type: 'object',
            required: ['satisfaction'],
            additionalProperties: false,
            properties: {
              satisfaction: { type: 'string', enum: SATISFACTION },
              comment: { type: 'string', maxLength: 2000 },
            },
          },
        },
      },
      async (request) => {
        const body = request.body as { satisfaction: Satisfaction; comment?: string };
        return rateReport(
          p(),
          request.principal,
          (request.params as { ref: string }).ref,
          body,
          lang(request),
          baseUrlOf(p(), request),
        );
      },
    );

    // The public board's paths follow the citizen API's in the OpenAPI document.
    registerPublicBoardRoutes(scope, p);
  });
}
