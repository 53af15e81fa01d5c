/**
 * HTTP face of the citizen API (`/api/v1/citizen/…`) and the public board
 * (`/api/v1/public/…`). Handlers read the request, call one service and return.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SATISFACTION, type Satisfaction } from '../cases/index.ts';
import { authenticatePublic, requireAuthenticated, routeAccess } from '../identity/index.ts';
import { NotFoundError } from '../kernel/index.ts';
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
import { districtFigures, publicCaseMap } from './public-board.ts';
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

    scope.get(
      '/api/v1/public/cases',
      {
        config: routeAccess('public'),
        schema: {
          tags: ['public'],
          summary: 'Anonymized cases on the map (GeoJSON; points at ~200 m cell centres)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: ['open', 'closed'] },
              service_code: { type: 'string', maxLength: 100 },
              district: { type: 'string', pattern: '^\\d{6}$' },
              days: { type: 'integer', minimum: 1, maximum: 90, default: 30 },
            },
          },
        },
      },
      async (request) => publicCaseMap(p(), request.query as never, lang(request)),
    );

    scope.get(
      '/api/v1/public/districts',
      {
        config: routeAccess('public'),
        schema: {
          tags: ['public'],
          summary: 'Counts, closure rate and satisfaction rate per district',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { days: { type: 'integer', minimum: 1, maximum: 90, default: 30 } },
          },
        },
      },
      async (request) => districtFigures(p(), request.query as { days?: number }),
    );

    scope.get(
      '/api/v1/public/media/:name',
      {
        config: routeAccess('public'),
        schema: {
          tags: ['public'],
          summary: 'A report photo (metadata removed), by its content name',
          params: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 80 } },
          },
        },
      },
      async (request, reply) => {
        const name = (request.params as { name: string }).name;
        const found = await p().media.get(name);
        if (!found) throw new NotFoundError(`No media ${name}.`, 'media.not_found');
        return (
          reply
            .type(found.type)
            .header('cache-control', 'public, max-age=31536000, immutable')
            // Open311 clients on other sites show these photos (media_url).
            .header('cross-origin-resource-policy', 'cross-origin')
            .send(found.data)
        );
      },
    );
  });
}
