/** Responsibility grids (责任网格) under `/api/v1/responsibility-grids`. Handlers validate, call one service, return. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../identity/index.ts';
import type { Kernel } from '../kernel/index.ts';
import { codeList, codeParams, divisionCode, localizedText, secured, slugCode } from './org-schemas.ts';
import {
  deleteResponsibilityGrid,
  getResponsibilityGrid,
  listResponsibilityGrids,
  type ResponsibilityGridInput,
  saveResponsibilityGrids,
} from './responsibility-grids.ts';

/** Registers the responsibility grid routes. */
export function registerResponsibilityGridRoutes(app: FastifyInstance, kernel: Kernel) {
  const { db } = kernel;
  const read = requirePermission('org.read');
  const write = requirePermission('org.write');
  const gridTags = ['responsibility grids'];
  const gridBody = {
    type: 'object',
    required: ['name', 'divisionCode', 'gridCodes'],
    additionalProperties: false,
    properties: {
      code: slugCode,
      name: localizedText,
      divisionCode,
      gridCodes: { ...codeList, minItems: 1 },
      workerIds: codeList,
    },
  } as const;

  app.get(
    '/api/v1/responsibility-grids',
    {
      preHandler: read,
      schema: {
        tags: gridTags,
        summary: 'List responsibility grids (责任网格)',
        security: secured,
        querystring: {
          type: 'object',
          properties: { within: divisionCode, worker: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request) =>
      listResponsibilityGrids(db, actorOf(request), request.query as { within?: string; worker?: string }),
  );

  app.get(
    '/api/v1/responsibility-grids/:code',
    {
      preHandler: read,
      schema: { tags: gridTags, summary: 'One responsibility grid', security: secured, params: codeParams },
    },
    async (request) => getResponsibilityGrid(db, actorOf(request), (request.params as { code: string }).code),
  );

  app.put(
    '/api/v1/responsibility-grids/:code',
    {
      preHandler: write,
      schema: {
        tags: gridTags,
        summary: 'Create or replace a responsibility grid and its grid workers',
        security: secured,
        params: codeParams,
        body: gridBody,
      },
    },
    async (request) => {
      const code = (request.params as { code: string }).code;
      const [saved] = await saveResponsibilityGrids(
        db,
        [{ ...(request.body as Omit<ResponsibilityGridInput, 'code'>), code }],
        actorOf(request),
      );
      return saved;
    },
  );

  app.delete(
    '/api/v1/responsibility-grids/:code',
    {
      preHandler: write,
      schema: {
        tags: gridTags,
        summary: 'Delete a responsibility grid',
        security: secured,
        params: codeParams,
      },
    },
    async (request, reply) => {
      await deleteResponsibilityGrid(db, (request.params as { code: string }).code, actorOf(request));
      return reply.status(204).send();
    },
  );
}
