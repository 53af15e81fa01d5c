/**
 * HTTP face of the notification inbox: a user's in-app notifications and their read marks.
 * Thin handlers: a JSON schema, one service call.
 */
import type { FastifyInstance } from 'fastify';
import { requireAuthenticated } from '../../identity/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { listInbox, markAllNotificationsRead, markNotificationRead } from './notification-inbox.ts';

/** Registers `/api/v1/notifications`. */
export function registerInboxRoutes(app: FastifyInstance, engine: () => CaseEngine): void {
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
}
