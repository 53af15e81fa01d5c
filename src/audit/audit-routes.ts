import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kernel } from '../kernel/index.ts';
import { auditHead, verifyAuditChain } from './audit-chain.ts';
import { type AuditQuery, listAudit } from './audit-query.ts';

const recordSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string' },
    objectType: { type: 'string' },
    objectId: { type: 'string' },
    requestId: { type: ['string', 'null'] },
    beforeDigest: { type: ['string', 'null'] },
    afterDigest: { type: ['string', 'null'] },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;
const security: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

/** The permissions the auditors' API requires (identity's permission matrix grants them). */
export type AuditPermission = 'audit.read' | 'audit.verify';

/**
 * Builds the preHandler that admits only holders of a permission: identity's
 * `requirePermission`, passed in because identity sits above the audit chain it appends to.
 */
export type AuditRouteGuard = (permission: AuditPermission) => preHandlerAsyncHookHandler;

/** `GET /api/v1/audit`, `GET /api/v1/audit/head`, `POST /api/v1/audit/verify`. */
export function registerAuditRoutes(
  app: FastifyInstance,
  kernel: Kernel,
  requirePermission: AuditRouteGuard,
) {
  app.get(
    '/api/v1/audit',
    {
      preHandler: requirePermission('audit.read'),
      schema: {
        tags: ['audit'],
        summary: 'Audit records, newest first, filtered by object, actor and time',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            objectType: { type: 'string', maxLength: 100 },
            objectId: { type: 'string', maxLength: 200 },
            actor: { type: 'string', maxLength: 100 },
            action: { type: 'string', maxLength: 100 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: {
              type: 'string',
              pattern: '^[0-9]{1,18}$',
              description: 'nextCursor of the previous page',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: recordSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (request) => listAudit(kernel.db, request.query as AuditQuery),
  );

  app.get(
    '/api/v1/audit/head',
    {
      preHandler: requirePermission('audit.read'),
      schema: {
        tags: ['audit'],
        summary: 'The newest record and its hash, to anchor externally',
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              seq: { type: 'integer' },
              hash: { type: 'string' },
              at: { type: ['string', 'null'], format: 'date-time' },
            },
          },
        },
      },
    },
    async () => (await auditHead(kernel.db)) ?? { seq: 0, hash: '0'.repeat(64), at: null },
  );

  app.post(
    '/api/v1/audit/verify',
    {
      preHandler: requirePermission('audit.verify'),
      schema: {
        tags: ['audit'],
        summary: 'Verify the whole chain (optionally against an anchored head)',
        security,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            anchor: {
              type: 'object',
              required: ['seq', 'hash'],
              additionalProperties: false,
              properties: {
                seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
                hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
              },
            },
          },
        },
        response: {
          200: {
            type: 'object',
            // A broken chain has no head; an intact one no firstBadSeq or reason.
            required: ['ok', 'count'],
            properties: {
              ok: { type: 'boolean' },
              count: { type: 'integer' },
              head: {
                type: ['object', 'null'],
                properties: { seq: { type: 'integer' }, hash: { type: 'string' } },
              },
              firstBadSeq: { type: 'integer' },
              reason: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) =>
      verifyAuditChain(kernel.db, {
        anchor: (request.body as { anchor?: { seq: number; hash: string } } | null)?.anchor,
      }),
  );
}
