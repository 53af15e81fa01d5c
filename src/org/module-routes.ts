/** The enabled plates, their categories and time limits: `GET /api/v1/modules`. */
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../identity/index.ts';
import { CATEGORY_KINDS, type Kernel, STAGES, TIME_BASES, URGENCIES } from '../kernel/index.ts';
import { moduleCatalog } from './module-catalog.ts';
import { secured } from './org-schemas.ts';

const localized = {
  type: 'object',
  properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } },
} as const;

/** Limits of one urgency; a stage left out has no limit. */
const stageLimits = {
  type: 'object',
  properties: {
    basis: { type: 'string', enum: TIME_BASES },
    minutes: {
      type: 'object',
      required: [],
      properties: Object.fromEntries(STAGES.map((s) => [s, { type: 'number' }])),
    },
  },
} as const;

// The answer of `moduleCatalog` (module-catalog.ts), field for field: the serialiser drops
// what the schema does not name.
const catalog = {
  type: 'object',
  properties: {
    modules: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: localized,
          description: { ...localized, type: ['object', 'null'] },
          version: { type: 'string' },
          categories: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                name: localized,
                kind: { type: 'string', enum: CATEGORY_KINDS },
                parent: { type: ['string', 'null'] },
                defaultUrgency: { type: 'string', enum: URGENCIES },
                public: { type: 'boolean' },
                autoDispatch: { type: 'boolean' },
                defaultResponsibility: {
                  type: ['object', 'null'],
                  required: ['lead'],
                  properties: {
                    lead: { type: 'string' },
                    assist: { type: 'array', items: { type: 'string' } },
                  },
                },
                timeLimits: {
                  type: 'object',
                  description: 'Effective limits per urgency; an urgency without limits is left out',
                  required: [],
                  properties: Object.fromEntries(URGENCIES.map((u) => [u, stageLimits])),
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export function registerModuleRoutes(app: FastifyInstance, kernel: Kernel) {
  app.get(
    '/api/v1/modules',
    {
      preHandler: requirePermission('org.read'),
      schema: {
        tags: ['modules'],
        summary: 'Enabled plates with their case categories and time limits per urgency',
        security: secured,
        response: { 200: catalog },
      },
    },
    async (request) => moduleCatalog(kernel.modules, request.principal),
  );
}
