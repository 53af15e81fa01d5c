/** API keys of service accounts under `/api/v1/api-keys`. */
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/index.ts';
import { issueApiKey, listApiKeys, revokeApiKey } from '../api-keys.ts';
import { actorOf, requirePermission } from '../authenticate.ts';
import { PERMISSIONS } from '../permissions.ts';
import { bearer, idParams } from './schemas.ts';

const scopeList = {
  type: 'array',
  items: { type: 'string', enum: Object.keys(PERMISSIONS) },
  minItems: 1,
} as const;

const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    username: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    key: { type: 'string', description: 'The secret; returned only when the key is issued.' },
  },
} as const;

/** Registers the routes that issue, list and revoke API keys. */
export function registerApiKeyRoutes(app: FastifyInstance, kernel: Kernel) {
  app.post(
    '/api/v1/api-keys',
    {
      preHandler: requirePermission('apikey.manage'),
      schema: {
        tags: ['api-keys'],
        summary: 'Issue an API key to a service account; the key is shown only in this answer',
        security: bearer,
        body: {
          type: 'object',
          required: ['account', 'name', 'scopes'],
          additionalProperties: false,
          properties: {
            account: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: 'Service account id or username',
            },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            scopes: scopeList,
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        response: { 201: apiKeySchema },
      },
    },
    async (request, reply) => {
      const issued = await issueApiKey(
        kernel.db,
        request.body as Parameters<typeof issueApiKey>[1],
        actorOf(request),
      );
      return reply.status(201).send(issued);
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      preHandler: requirePermission('apikey.manage'),
      schema: {
        tags: ['api-keys'],
        summary: 'API keys (without their secrets)',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { account: { type: 'string', maxLength: 64 }, includeRevoked: { type: 'boolean' } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: apiKeySchema } } } },
      },
    },
    async (request) => ({ items: await listApiKeys(kernel.db, request.principal, request.query as object) }),
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      preHandler: requirePermission('apikey.manage'),
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        security: bearer,
        params: idParams,
        response: { 200: apiKeySchema },
      },
    },
    async (request) => revokeApiKey(kernel.db, (request.params as { id: string }).id, actorOf(request)),
  );
}
