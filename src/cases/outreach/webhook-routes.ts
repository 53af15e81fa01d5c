/**
 * HTTP face of webhook subscriptions and their delivery logs (admin). Thin handlers: a JSON
 * schema, one service call.
 */
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../identity/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  updateWebhook,
  type WebhookInput,
} from './webhooks.ts';

const webhookId = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
const webhookBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2000 },
    events: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: { type: 'string', minLength: 1, maxLength: 100 },
    },
    description: { type: ['string', 'null'], maxLength: 500 },
    active: { type: 'boolean' },
  },
} as const;

/** Registers `/api/v1/webhooks`. */
export function registerWebhookRoutes(app: FastifyInstance, engine: () => CaseEngine): void {
  app.post(
    '/api/v1/webhooks',
    {
      preHandler: requirePermission('webhook.manage'),
      schema: {
        tags: ['cases'],
        summary: 'Subscribe a URL to case events (admin); the secret is shown only in this answer',
        body: { ...webhookBody, required: ['url', 'events'] },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createWebhook(engine(), request.principal, request.body as WebhookInput)),
  );
  app.get(
    '/api/v1/webhooks',
    {
      preHandler: requirePermission('webhook.manage'),
      schema: { tags: ['cases'], summary: 'Webhook subscriptions (admin)' },
    },
    async (request) => listWebhooks(engine(), request.principal),
  );
  app.get(
    '/api/v1/webhooks/:id',
    {
      preHandler: requirePermission('webhook.manage'),
      schema: { tags: ['cases'], summary: 'One webhook subscription (admin)', params: webhookId },
    },
    async (request) => getWebhook(engine(), request.principal, (request.params as { id: string }).id),
  );
  app.patch(
    '/api/v1/webhooks/:id',
    {
      preHandler: requirePermission('webhook.manage'),
      schema: {
        tags: ['cases'],
        summary: 'Change a subscription (admin); `rotateSecret: true` answers with a new secret',
        params: webhookId,
        body: {
          ...webhookBody,
          properties: { ...webhookBody.properties, rotateSecret: { type: 'boolean' } },
        },
      },
    },
    async (request) =>
      updateWebhook(
        engine(),
        request.principal,
        (request.params as { id: string }).id,
        request.body as WebhookInput,
      ),
  );
  app.delete(
    '/api/v1/webhooks/:id',
    {
      preHandler: requirePermission('webhook.manage'),
      schema: { tags: ['cases'], summary: 'Delete a subscription (admin)', params: webhookId },
    },
    async (request, reply) => {
      await deleteWebhook(engine(), request.principal, (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  );
  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      preHandler: requirePermission('webhook.manage'),
      schema: {
        tags: ['cases'],
        summary: 'Delivery log of a subscription, newest first (admin)',
        params: webhookId,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            status: { type: 'string', enum: ['pending', 'retrying', 'delivered', 'failed', 'cancelled'] },
          },
        },
      },
    },
    async (request) =>
      listDeliveries(
        engine(),
        request.principal,
        (request.params as { id: string }).id,
        request.query as Parameters<typeof listDeliveries>[3],
      ),
  );
}
