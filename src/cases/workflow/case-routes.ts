/**
 * HTTP face of the case engine. Handlers validate with JSON schemas (so they appear in
 * OpenAPI under the `cases` tag), call one service and return its result.
 */
import type { FastifyInstance } from 'fastify';
import { requireAuthenticated, requirePermission } from '../../identity/index.ts';
import { InvalidInputError, pageOf, type Urgency } from '../../kernel/index.ts';
import { type ActionParams, applyAction } from './case-actions.ts';
import type { CaseEngine } from '../case-engine.ts';
import {
  CASE_STATES,
  type CaseState,
  CHANNELS,
  type Channel,
  caseHistorySchema,
  caseViewSchema,
  SATISFACTION,
} from '../rules/case-model.ts';
import { getCase, getCaseHistory, getCaseNotifications, listCases } from '../store/case-queries.ts';
import { type IntakeInput, reportCase } from '../intake/intake.ts';
import { CASE_ACTIONS } from '../rules/transitions.ts';

const URGENCY = { type: 'string', enum: ['normal', 'urgent', 'emergency'] } as const;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

const intakeBody = {
  type: 'object',
  required: ['channel', 'category', 'location', 'description'],
  additionalProperties: false,
  properties: {
    channel: { type: 'string', enum: CHANNELS },
    clientRequestId: text(200),
    category: text(100),
    urgency: URGENCY,
    location: {
      type: 'object',
      required: ['lat', 'lon'],
      additionalProperties: false,
      properties: {
        lat: { type: 'number', minimum: -90, maximum: 90 },
        lon: { type: 'number', minimum: -180, maximum: 180 },
      },
    },
    address: { type: 'string', maxLength: 500 },
    description: text(5000),
    media: { type: 'array', maxItems: 20, items: text(1000) },
    reporter: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: 200 },
        phone: { type: 'string', maxLength: 50 },
        email: { type: 'string', maxLength: 320 },
        address: { type: 'string', maxLength: 500 },
        consent: { type: 'boolean' },
      },
    },
    parentAlertId: text(200),
  },
} as const;

const actionBody = {
  type: 'object',
  required: ['version'],
  additionalProperties: false,
  properties: {
    version: { type: 'integer', minimum: 1 },
    reason: { type: 'string', maxLength: 2000 },
    note: { type: 'string', maxLength: 2000 },
    lead: text(100),
    assist: { type: 'array', maxItems: 20, items: text(100) },
    minutes: { type: 'integer', minimum: 1, maximum: 525600 },
    approve: { type: 'boolean' },
    evidence: { type: 'array', maxItems: 20, items: text(1000) },
    result: { type: 'string', enum: ['pass', 'fail'] },
    satisfaction: { type: 'string', enum: SATISFACTION },
    comment: { type: 'string', maxLength: 2000 },
    into: text(100),
    departments: { type: 'array', minItems: 1, maxItems: 50, items: text(100) },
    deadlineMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 10080 },
    department: text(100),
    rating: { type: 'integer', minimum: 1, maximum: 5 },
  },
} as const;

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'Case id or case number' } },
} as const;

/** Registers `/api/v1/cases…`. */
export function registerCaseRoutes(app: FastifyInstance, engine: () => CaseEngine): void {
  app.post(
    '/api/v1/cases',
    {
      preHandler: requirePermission('case.report'),
      schema: {
        tags: ['cases'],
        summary: 'Report a problem (intake from any channel)',
        description:
          'Creates a case in state `reported`. Idempotent on `clientRequestId` per channel: a repeat returns the same case with 200 instead of 201. A location outside the city answers 400 `case.location_outside_city`.',
        body: intakeBody,
        response: { 200: caseViewSchema, 201: caseViewSchema },
      },
    },
    async (request, reply) => {
      const result = await reportCase(engine(), request.principal, request.body as IntakeInput);
      return reply.status(result.created ? 201 : 200).send(result.case);
    },
  );

  app.get(
    '/api/v1/cases',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'List cases inside your jurisdiction',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', description: 'Comma-separated states' },
            category: {
              type: 'string',
              description: 'Category code, or a major class to include its minor classes',
            },
            urgency: URGENCY,
            channel: { type: 'string', enum: CHANNELS },
            division: { type: 'string', pattern: '^\\d{4,14}$' },
            department: { type: 'string' },
            light: { type: 'string', enum: ['green', 'yellow', 'red'] },
            reportedFrom: { type: 'string', format: 'date-time' },
            reportedTo: { type: 'string', format: 'date-time' },
            ids: {
              type: 'string',
              description:
                'Comma-separated case ids, at most 200 (what a live screen refreshes); the page is as long as the list unless `limit` says otherwise',
              pattern: '^[0-9a-f-]{36}(,[0-9a-f-]{36}){0,199}$',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, description: 'Page size (default 50)' },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: pageOf(caseViewSchema, { window: true }) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, string | number | undefined>;
      const states = typeof q.state === 'string' ? q.state.split(',').filter(Boolean) : undefined;
      const bad = states?.find((s) => !(CASE_STATES as readonly string[]).includes(s));
      if (bad)
        throw new InvalidInputError(`"${bad}" is not a case state; use ${CASE_STATES.join(', ')}.`, {
          field: 'state',
        });
      const ids = typeof q.ids === 'string' ? q.ids.split(',') : undefined;
      return listCases(engine().db, request.principal, {
        state: states as CaseState[] | undefined,
        category: q.category as string | undefined,
        urgency: q.urgency as Urgency | undefined,
        channel: q.channel as Channel | undefined,
        division: q.division as string | undefined,
        department: q.department as string | undefined,
        light: q.light as 'green' | 'yellow' | 'red' | undefined,
        reportedFrom: q.reportedFrom ? new Date(q.reportedFrom) : undefined,
        reportedTo: q.reportedTo ? new Date(q.reportedTo) : undefined,
        ids,
        limit: (q.limit as number | undefined) ?? ids?.length,
        offset: q.offset as number | undefined,
      });
    },
  );

  app.get(
    '/api/v1/cases/:id',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'One case, by id or case number',
        params: idParam,
        response: { 200: caseViewSchema },
      },
    },
    async (request) => getCase(engine().db, request.principal, (request.params as { id: string }).id),
  );

  app.get(
    '/api/v1/cases/:id/history',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'Every transition of a case, oldest first',
        params: idParam,
        response: { 200: caseHistorySchema },
      },
    },
    async (request) => getCaseHistory(engine().db, request.principal, (request.params as { id: string }).id),
  );

  app.get(
    '/api/v1/cases/:id/notifications',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'Notifications raised on a case (supervision notices, escalations, summons)',
        params: idParam,
      },
    },
    async (request) =>
      getCaseNotifications(engine().db, request.principal, (request.params as { id: string }).id),
  );

  app.post(
    '/api/v1/cases/:id/actions/:action',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['cases'],
        summary: 'Move a case: file, reject, dispatch, accept, return, handle, verify, close, evaluate…',
        description:
          "Body `{ version, ...params }`. A stale version answers 409 `case.version_conflict`; an action not allowed in the current state 409 `case.transition_not_allowed`; an action of another track 403 `case.track_violation`; without the action's permission (an API key not scoped for it) 403 `forbidden`. See docs/case-workflow.md.",
        params: {
          type: 'object',
          required: ['id', 'action'],
          properties: { id: idParam.properties.id, action: { type: 'string', enum: CASE_ACTIONS } },
        },
        body: actionBody,
        response: { 200: caseViewSchema },
      },
    },
    async (request) => {
      const { id, action } = request.params as { id: string; action: string };
      return applyAction(engine(), request.principal, id, action, request.body as ActionParams);
    },
  );
}
