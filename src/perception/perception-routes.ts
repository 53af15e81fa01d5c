/**
 * Perception's REST API under `/api/v1/alerts` (docs/perception.md#api). Handlers validate
 * with their schema, call one service, and return.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../identity/index.ts';
import { type Kernel, pageOf } from '../kernel/index.ts';
import { ALERT_STATES, CASE_LINK_STATUSES } from './alert-model.ts';
import { acknowledgeAlert, getAlert, type ListAlertsQuery, listAlerts, resolveAlert } from './alerts.ts';

const tags = ['perception'];
const security: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];
const SEVERITY_VALUES = ['info', 'minor', 'moderate', 'severe', 'extreme'];

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 100 } },
} as const;

const time = { type: ['string', 'null'], format: 'date-time' } as const;

const alert = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    rule: { type: 'string' },
    ruleVersion: { type: 'integer' },
    moduleId: { type: 'string' },
    deviceId: { type: 'string' },
    severity: { type: 'string', enum: SEVERITY_VALUES },
    state: { type: 'string', enum: [...ALERT_STATES] },
    raisedAt: { type: 'string', format: 'date-time', description: 'Observation time it was raised at' },
    raisedSeenAt: { type: 'string', format: 'date-time', description: 'When the platform raised it' },
    since: { type: 'string', format: 'date-time', description: 'Start of the run that raised it' },
    repeats: { type: 'integer' },
    values: {
      type: 'array',
      items: {
        type: 'object',
        properties: { label: { type: 'string' }, value: { type: ['number', 'null'] } },
      },
    },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          property: { type: 'string' },
          at: { type: 'number', description: 'Observation time, ms since the epoch' },
          value: { type: 'number' },
          id: { type: ['string', 'number', 'null'] },
        },
      },
    },
    location: {
      type: ['object', 'null'],
      properties: { lat: { type: 'number' }, lon: { type: 'number' } },
    },
    divisionCode: { type: ['string', 'null'] },
    districtCode: { type: ['string', 'null'] },
    acknowledgedBy: { type: ['string', 'null'] },
    acknowledgedAt: time,
    resolvedAt: time,
    resolvedBy: { type: ['string', 'null'], description: 'Null when it cleared automatically' },
    resolutionNote: { type: ['string', 'null'] },
    case: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: [...CASE_LINK_STATUSES] },
        category: { type: ['string', 'null'] },
        id: { type: ['string', 'null'] },
        number: { type: ['string', 'null'] },
        closedAt: time,
        error: { type: ['string', 'null'] },
      },
    },
  },
} as const;

/** Registers the alert routes. */
export function registerPerceptionRoutes(app: FastifyInstance, kernel: Kernel) {
  app.get(
    '/api/v1/alerts',
    {
      preHandler: requirePermission('alert.read'),
      schema: {
        tags,
        summary: 'Alerts inside your jurisdiction or of your departments, newest first',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: [...ALERT_STATES] },
            severity: { type: 'string', enum: SEVERITY_VALUES },
            plate: { type: 'string', maxLength: 100, description: 'The plate (module id) of the rule' },
            division: { type: 'string', pattern: '^[0-9]{1,20}$' },
            device: { type: 'string', maxLength: 64 },
            rule: { type: 'string', maxLength: 100 },
            from: { type: 'string', format: 'date-time', description: 'Raised at or after' },
            to: { type: 'string', format: 'date-time', description: 'Raised before' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: pageOf(alert),
        },
      },
    },
    async (request) => listAlerts(kernel.db, request.principal, request.query as ListAlertsQuery),
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      preHandler: requirePermission('alert.read'),
      schema: { tags, summary: 'One alert', security, params: idParam, response: { 200: alert } },
    },
    async (request) => getAlert(kernel.db, request.principal, (request.params as { id: string }).id),
  );

  app.post(
    '/api/v1/alerts/:id/actions/acknowledge',
    {
      preHandler: requirePermission('alert.manage'),
      schema: {
        tags,
        summary: 'Acknowledge a raised alert (again: no change)',
        security,
        params: idParam,
        response: { 200: alert },
      },
    },
    async (request) => acknowledgeAlert(kernel.db, (request.params as { id: string }).id, actorOf(request)),
  );

  app.post(
    '/api/v1/alerts/:id/actions/resolve',
    {
      preHandler: requirePermission('alert.manage'),
      schema: {
        tags,
        summary: 'Resolve an open alert by hand, with a note',
        security,
        params: idParam,
        body: {
          type: 'object',
          required: ['note'],
          additionalProperties: false,
          properties: { note: { type: 'string', minLength: 1, maxLength: 2000 } },
        },
        response: { 200: alert },
      },
    },
    async (request) =>
      resolveAlert(
        kernel.db,
        (request.params as { id: string }).id,
        (request.body as { note: string }).note,
        actorOf(request),
      ),
  );
}
