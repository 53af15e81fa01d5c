/**
 * HTTP face of the live stream: tickets for EventSource and the server-sent events of the
 * cases a caller may see.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, requireAuthenticated } from '../../identity/index.ts';
import { InvalidInputError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import {
  type CaseStreamHub,
  holderOfStreamTicket,
  issueStreamTicket,
  type StreamHolder,
} from '../stream/case-stream.ts';

/** Registers `/api/v1/stream` and `/api/v1/stream/tokens`; closes the hub's streams when the app closes. */
export function registerStreamRoutes(
  app: FastifyInstance,
  engine: () => CaseEngine,
  hub: () => CaseStreamHub,
): void {
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
