/** The responsibility list (权责清单) under `/api/v1/responsibility`. Handlers validate, call one service, return. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../identity/index.ts';
import type { Kernel } from '../kernel/index.ts';
import type { DivisionLocator } from './locate.ts';
import { codeList, divisionCode, lat, lon, secured } from './org-schemas.ts';
import {
  createRule,
  deleteRule,
  getListVersion,
  listRules,
  listVersions,
  type RuleInput,
  responsibilityAnswerSchema,
  updateRule,
  whoIsResponsible,
} from './responsibility-list.ts';

export function registerResponsibilityRoutes(app: FastifyInstance, kernel: Kernel, locator: DivisionLocator) {
  const { db } = kernel;
  const read = requirePermission('org.read');
  const write = requirePermission('org.write');
  const tags = ['responsibility'];
  const ruleProps = {
    category: { type: 'string', minLength: 1, maxLength: 64 },
    divisionCode,
    lead: { type: 'string', minLength: 1, maxLength: 96 },
    assist: codeList,
    note: { type: 'string', maxLength: 500 },
  } as const;
  const ruleParams = {
    type: 'object',
    required: ['ruleId'],
    properties: { ruleId: { type: 'string', pattern: '^R-[0-9]{6}$' } },
  } as const;

  app.get(
    '/api/v1/responsibility/resolve',
    {
      preHandler: read,
      schema: {
        tags,
        summary:
          'Who is responsible for category C at a point (lat, lon) or division, and the rule that decided',
        description:
          'Most specific rule wins: longest division code, then exact category over parent class over prefix pattern. Without a rule: the plate default, then the district government.',
        security: secured,
        querystring: {
          type: 'object',
          required: ['category'],
          properties: {
            category: { type: 'string', minLength: 1, maxLength: 64 },
            lat,
            lon,
            division: divisionCode,
          },
        },
        response: { 200: responsibilityAnswerSchema },
      },
    },
    async (request) =>
      whoIsResponsible(
        db,
        actorOf(request),
        request.query as { category: string; lat?: number; lon?: number; division?: string },
        { locator, modules: kernel.modules },
      ),
  );

  app.get(
    '/api/v1/responsibility/rules',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'Rules of the current list version (or of ?version=n)',
        security: secured,
        querystring: {
          type: 'object',
          properties: {
            version: { type: 'integer', minimum: 0 },
            category: { type: 'string', maxLength: 64 },
            division: divisionCode,
          },
        },
      },
    },
    async (request) =>
      listRules(
        db,
        actorOf(request),
        request.query as { version?: number; category?: string; division?: string },
      ),
  );

  app.post(
    '/api/v1/responsibility/rules',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Add a rule (makes a new list version)',
        security: secured,
        body: {
          type: 'object',
          required: ['category', 'divisionCode', 'lead'],
          additionalProperties: false,
          properties: ruleProps,
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createRule(db, request.body as RuleInput, actorOf(request), { modules: kernel.modules })),
  );

  app.patch(
    '/api/v1/responsibility/rules/:ruleId',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Change a rule (makes a new list version)',
        security: secured,
        params: ruleParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: ruleProps },
      },
    },
    async (request) =>
      updateRule(
        db,
        (request.params as { ruleId: string }).ruleId,
        request.body as Partial<RuleInput>,
        actorOf(request),
        { modules: kernel.modules },
      ),
  );

  app.delete(
    '/api/v1/responsibility/rules/:ruleId',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Retire a rule (makes a new list version)',
        security: secured,
        params: ruleParams,
      },
    },
    async (request) => deleteRule(db, (request.params as { ruleId: string }).ruleId, actorOf(request)),
  );

  app.get(
    '/api/v1/responsibility/versions',
    {
      preHandler: read,
      schema: { tags, summary: 'Versions of the responsibility list, newest first', security: secured },
    },
    async (request) => listVersions(db, actorOf(request)),
  );

  app.get(
    '/api/v1/responsibility/versions/:version',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'One version of the responsibility list with its rules',
        security: secured,
        params: {
          type: 'object',
          required: ['version'],
          properties: { version: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (request) => getListVersion(db, actorOf(request), (request.params as { version: number }).version),
  );
}
