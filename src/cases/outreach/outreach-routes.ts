/**
 * HTTP face of notifications (inbox), webhooks, indicators and the live stream. Thin
 * handlers: a JSON schema, one service call.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, requireAuthenticated, requirePermission } from '../../identity/index.ts';
import { InvalidInputError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { CHANNELS, type Channel } from '../rules/case-model.ts';
import {
  type CaseStreamHub,
  holderOfStreamTicket,
  issueStreamTicket,
  type StreamHolder,
} from '../stream/case-stream.ts';
import {
  computeIndicators,
  type IndicatorValues,
  rankIndicators,
  type Weights,
} from '../indicators/indicators.ts';
import { listInbox, markAllNotificationsRead, markNotificationRead } from './notification-inbox.ts';
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

const METRICS: Array<keyof IndicatorValues> = [
  'closureRate',
  'onTimeClosureRate',
  'reworkRate',
  'extensionRate',
  'returnRate',
  'accurateDispatchRate',
  'responseRate',
  'resolutionRate',
  'satisfactionRate',
  'compositeScore',
];

const indicatorQuery = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      description: 'Start of P (inclusive): YYYY-MM-DD in the city time zone, or a date-time',
    },
    to: { type: 'string', description: 'End of P (exclusive)' },
    division: { type: 'string', pattern: '^\\d{4,14}$', description: 'Division code at any level (prefix)' },
    department: { type: 'string', maxLength: 100 },
    category: { type: 'string', maxLength: 100, description: 'Category code or its major class' },
    channel: { type: 'string', enum: CHANNELS },
    weights: {
      type: 'string',
      pattern: '^\\d+(\\.\\d+)?,\\d+(\\.\\d+)?,\\d+(\\.\\d+)?$',
      description: 'Composite weights response,resolution,satisfaction (default 30,35,35)',
    },
  },
} as const;

type IndicatorQs = {
  from: string;
  to: string;
  division?: string;
  department?: string;
  category?: string;
  channel?: Channel;
  weights?: string;
};

function parseWeights(w: string | undefined): Weights | undefined {
  if (!w) return undefined;
  const [response, resolution, satisfaction] = w.split(',').map(Number);
  if (response + resolution + satisfaction <= 0)
    throw new InvalidInputError('The weights must not all be zero.', { field: 'weights' });
  return { response, resolution, satisfaction };
}

/** Registers `/api/v1/notifications`, `/api/v1/webhooks`, `/api/v1/indicators`, `/api/v1/stream`. */
export function registerOutreachRoutes(
  app: FastifyInstance,
  engine: () => CaseEngine,
  hub: () => CaseStreamHub,
): void {
  app.get(
    '/api/v1/notifications',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'Your in-app notifications, newest first, with the unread count',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            unread: { type: 'boolean', description: 'Only unread ones' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { unread?: boolean; limit?: number; offset?: number };
      return listInbox(engine(), request.principal, {
        unreadOnly: q.unread,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.post(
    '/api/v1/notifications/:id/read',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'Mark one of your notifications read',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
    },
    async (request) =>
      markNotificationRead(engine(), request.principal, (request.params as { id: number }).id),
  );

  app.post(
    '/api/v1/notifications/read-all',
    {
      preHandler: requireAuthenticated,
      schema: { tags: ['cases'], summary: 'Mark all your notifications read' },
    },
    async (request) => markAllNotificationsRead(engine(), request.principal),
  );

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

  app.get(
    '/api/v1/indicators',
    {
      preHandler: requirePermission('indicator.read'),
      schema: {
        tags: ['indicators'],
        summary: 'Every indicator of docs/indicators.md for a period P = [from, to) and a scope',
        querystring: indicatorQuery,
      },
    },
    async (request) => {
      const q = request.query as IndicatorQs;
      return computeIndicators(engine(), request.principal, { ...q, weights: parseWeights(q.weights) });
    },
  );
  app.get(
    '/api/v1/indicators/rankings',
    {
      preHandler: requirePermission('indicator.read'),
      schema: {
        tags: ['indicators'],
        summary: 'Indicators per district or lead department, ranked by one indicator (nulls last)',
        querystring: {
          ...indicatorQuery,
          required: ['from', 'to', 'by'],
          properties: {
            ...indicatorQuery.properties,
            by: { type: 'string', enum: ['district', 'department'] },
            metric: { type: 'string', enum: METRICS, default: 'closureRate' },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as IndicatorQs & {
        by: 'district' | 'department';
        metric?: keyof IndicatorValues;
      };
      return rankIndicators(engine(), request.principal, { ...q, weights: parseWeights(q.weights) });
    },
  );

  app.post(
    '/api/v1/stream/tokens',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'A 60-second ticket for `GET /api/v1/stream?token=` (EventSource cannot send headers)',
      },
    },
    async (request, reply) => reply.status(201).send(await issueStreamTicket(engine(), holderOf(request))),
  );
  app.get(
    '/api/v1/stream',
    {
      schema: {
        tags: ['cases'],
        summary: 'Server-sent events of the cases you may see; resume with Last-Event-ID (or ?lastEventId=)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            token: { type: 'string', minLength: 1, maxLength: 200 },
            // For clients that open a new EventSource (which cannot set Last-Event-ID).
            lastEventId: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
        },
      },
      preHandler: async (request, reply) => {
        const token = (request.query as { token?: string }).token;
        if (token && !request.headers.authorization) {
          const holder = await holderOfStreamTicket(engine(), token);
          request.principal = holder.principal;
          request.sessionId = holder.sessionId;
          request.apiKeyId = holder.apiKeyId;
        } else await authenticate.call(app, request, reply);
      },
    },
    async (request, reply) => {
      const last = lastEventIdOf(request);
      // Refused here (401/403/429), while the reply is still Fastify's to answer.
      const slot = hub().reserve(holderOf(request));
      reply.hijack();
      await hub().open(slot, reply.raw, last);
    },
  );
  app.addHook('preClose', (done) => {
    hub().close();
    done();
  });
}

/** The caller of a request and the credential it came with. */
function holderOf(request: FastifyRequest): StreamHolder {
  return { principal: request.principal, sessionId: request.sessionId, apiKeyId: request.apiKeyId };
}

/**
 * Where a stream resumes: the `Last-Event-ID` header, else `?lastEventId=` (a new
 * EventSource cannot set the header); null for a fresh stream. Anything but a seq is refused.
 */
function lastEventIdOf(request: FastifyRequest): number | null {
  const header = request.headers['last-event-id'];
  const value = typeof header === 'string' ? header : (request.query as { lastEventId?: string }).lastEventId;
  if (value === undefined || value === '') return null;
  if (!/^\d{1,15}$/.test(value))
    throw new InvalidInputError(
      `Last-Event-ID "${value.slice(0, 40)}" is not an event id of this stream.`,
      { lastEventId: value.slice(0, 40) },
      'stream.bad_last_event_id',
    );
  return Number(value);
}
