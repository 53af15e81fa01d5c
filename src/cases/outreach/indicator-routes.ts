/**
 * HTTP face of the indicators (docs/indicators.md): values for a period and scope, and
 * rankings. Thin handlers: a JSON schema, one service call.
 */
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../identity/index.ts';
import { InvalidInputError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import {
  computeIndicators,
  type IndicatorValues,
  rankIndicators,
  type Weights,
} from '../indicators/indicators.ts';
import { CHANNELS, type Channel } from '../rules/case-model.ts';

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

/** Registers `/api/v1/indicators`. */
export function registerIndicatorRoutes(app: FastifyInstance, engine: () => CaseEngine): void {
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
}
