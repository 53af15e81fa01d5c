/** HTTP face of the public board (`/api/v1/public/…`): the case map, district figures, report photos. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routeAccess } from '../identity/index.ts';
import { NotFoundError } from '../kernel/index.ts';
import { negotiateLanguage } from './open311-services.ts';
import type { Participation } from './participation-context.ts';
import { districtFigures, publicCaseMap } from './public-board.ts';

/** Registers the public board's routes (on the citizen API's scope, `citizen-routes.ts`). */
export function registerPublicBoardRoutes(scope: FastifyInstance, p: () => Participation): void {
  const lang = (r: FastifyRequest) => negotiateLanguage(r.headers['accept-language']);

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
}
