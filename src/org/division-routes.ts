/** Divisions, point lookup and responsibility grids under `/api/v1`. Handlers validate, call one service, return. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission, routeAccess } from '../identity/index.ts';
import type { Kernel, LocalizedText } from '../kernel/index.ts';
import { type DivisionLevel, parentCodeOf } from './division-levels.ts';
import {
  createDivision,
  deleteDivision,
  divisionSchema,
  exportDivisions,
  getDivision,
  importDivisions,
  listDivisions,
  updateDivision,
} from './divisions.ts';
import type { AreaGeometry } from './geometry.ts';
import type { DivisionLocator } from './locate.ts';
import { etagMatches, type PublicDivisionsCache } from './public-divisions.ts';
import {
  areaGeometry,
  codeParams,
  divisionCode,
  divisionLevel,
  lat,
  localizedText,
  locatedChain,
  lon,
  secured,
} from './org-schemas.ts';
import { registerResponsibilityGridRoutes } from './responsibility-grid-routes.ts';

const tags = ['divisions'];

/** Registers the division and point lookup routes, then the responsibility grids' (`responsibility-grid-routes.ts`). */
export function registerDivisionRoutes(
  app: FastifyInstance,
  kernel: Kernel,
  org: { locator: DivisionLocator; publicDivisions: PublicDivisionsCache },
) {
  const { db } = kernel;
  const read = requirePermission('org.read');
  const write = requirePermission('org.write');

  app.get(
    '/api/v1/divisions/locate',
    {
      config: routeAccess('public'),
      schema: {
        tags,
        summary: 'Which grid, community, street, district and city hold a point',
        description:
          'Public. A point on a shared edge or vertex belongs to the division with the smallest code; see docs/divisions.md. 404 `division.outside_city` outside the city.',
        querystring: {
          type: 'object',
          required: ['lat', 'lon'],
          properties: { lat, lon },
        },
        response: { 200: locatedChain },
      },
    },
    async (request) => {
      const q = request.query as { lat: number; lon: number };
      return org.locator.locateInCity(q.lat, q.lon);
    },
  );

  app.get(
    '/api/v1/public/divisions.geojson',
    {
      config: routeAccess('public'),
      schema: {
        tags: ['public'],
        summary: 'Division outlines for the public map (GeoJSON; codes, names and boundaries only)',
        description:
          'Public, no sign-in. Properties: code, level, parent, name_zh, name_en; boundaries rounded to 1e-5°. Without `level`, every level. Cacheable: ETag (answer 304 to If-None-Match) and Cache-Control public, max-age=300.',
        querystring: { type: 'object', additionalProperties: false, properties: { level: divisionLevel } },
      },
    },
    async (request, reply) => {
      const answer = await org.publicDivisions.get((request.query as { level?: DivisionLevel }).level);
      reply.header('etag', answer.etag).header('cache-control', 'public, max-age=300');
      if (etagMatches(request.headers['if-none-match'], answer.etag)) return reply.status(304).send();
      return reply.type('application/geo+json; charset=utf-8').send(answer.body);
    },
  );

  app.get(
    '/api/v1/divisions',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'List divisions (without boundaries unless boundary=true)',
        security: secured,
        querystring: {
          type: 'object',
          properties: {
            level: divisionLevel,
            parent: divisionCode,
            within: divisionCode,
            boundary: { type: 'boolean', default: false },
          },
        },
        response: { 200: { type: 'array', items: divisionSchema } },
      },
    },
    async (request) => {
      const q = request.query as {
        level?: DivisionLevel;
        parent?: string;
        within?: string;
        boundary?: boolean;
      };
      return listDivisions(db, actorOf(request), { ...q, withBoundary: q.boundary });
    },
  );

  app.get(
    '/api/v1/divisions/export',
    {
      preHandler: read,
      schema: { tags, summary: 'Every division as a GeoJSON FeatureCollection', security: secured },
    },
    async (request, reply) => {
      const fc = await exportDivisions(db, actorOf(request));
      return reply.type('application/geo+json').send(fc);
    },
  );

  app.post(
    '/api/v1/divisions/import',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Import divisions from a GeoJSON FeatureCollection (validated; all or nothing)',
        description:
          'Feature properties: code, parent (optional), level (optional), name_zh, name_en. Invalid input answers 400 naming the feature index; nothing is written.',
        security: secured,
        body: { type: 'object' },
      },
    },
    async (request) => importDivisions(db, request.body, actorOf(request)),
  );

  app.get(
    '/api/v1/divisions/:code',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'One division with its boundary',
        security: secured,
        params: codeParams,
        response: { 200: divisionSchema },
      },
    },
    async (request) => getDivision(db, actorOf(request), (request.params as { code: string }).code),
  );

  app.post(
    '/api/v1/divisions',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Create a division',
        security: secured,
        body: {
          type: 'object',
          required: ['code', 'name', 'boundary'],
          additionalProperties: false,
          properties: {
            code: divisionCode,
            parentCode: { type: ['string', 'null'], pattern: '^[0-9]{4,12}$' },
            name: localizedText,
            boundary: areaGeometry,
          },
        },
        response: { 201: divisionSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        code: string;
        parentCode?: string | null;
        name: LocalizedText;
        boundary: AreaGeometry;
      };
      const created = await createDivision(
        db,
        { ...body, parentCode: body.parentCode === undefined ? parentCodeOf(body.code) : body.parentCode },
        actorOf(request),
      );
      return reply.status(201).send(created);
    },
  );

  app.put(
    '/api/v1/divisions/:code',
    {
      preHandler: write,
      schema: {
        tags,
        summary: "Change a division's names or boundary (re-validated against parent, children and siblings)",
        security: secured,
        params: codeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { name: localizedText, boundary: areaGeometry },
        },
        response: { 200: divisionSchema },
      },
    },
    async (request) =>
      updateDivision(
        db,
        (request.params as { code: string }).code,
        request.body as { name?: LocalizedText; boundary?: AreaGeometry },
        actorOf(request),
      ),
  );

  app.delete(
    '/api/v1/divisions/:code',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Delete a division without children or rules',
        security: secured,
        params: codeParams,
      },
    },
    async (request, reply) => {
      await deleteDivision(db, (request.params as { code: string }).code, actorOf(request));
      return reply.status(204).send();
    },
  );

  // The grids' paths follow the divisions' in the OpenAPI document.
  registerResponsibilityGridRoutes(app, kernel);
}
