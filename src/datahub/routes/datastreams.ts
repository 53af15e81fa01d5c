/** Datastreams: a device's datastreams with their latest values, and a datastream's observations. */
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../identity/index.ts';
import type { Kernel } from '../../kernel/index.ts';
import { listDatastreams } from '../devices.ts';
import { AGGREGATES, INTERVALS, type ObservationQuery, queryObservations } from '../observation-query.ts';
import { idParam, security, tags } from './schemas.ts';

const datastream = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    key: { type: 'string' },
    deviceId: { type: 'string' },
    property: { type: 'string' },
    name: {
      type: 'object',
      properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } },
    },
    unit: { type: 'string' },
    min: { type: ['number', 'null'] },
    max: { type: ['number', 'null'] },
    derived: { type: 'boolean' },
    latest: {
      type: ['object', 'null'],
      properties: {
        time: { type: 'string', format: 'date-time' },
        value: { type: 'number' },
        quality: { type: 'string' },
      },
    },
  },
} as const;

/** Registers the routes that read datastreams and their observations. */
export function registerDatastreamRoutes(app: FastifyInstance, kernel: Kernel) {
  app.get(
    '/api/v1/devices/:id/datastreams',
    {
      preHandler: requirePermission('device.read'),
      schema: {
        tags,
        summary: "A device's datastreams with their latest values",
        security,
        params: idParam,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: datastream } } } },
      },
    },
    async (request) => ({
      items: await listDatastreams(kernel.db, request.principal, (request.params as { id: string }).id),
    }),
  );

  app.get(
    '/api/v1/datastreams/:id/observations',
    {
      preHandler: requirePermission('device.read'),
      schema: {
        tags,
        summary: 'Observations of a datastream in [from, to): raw, or min/max/avg/count per interval',
        security,
        params: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', maxLength: 200, description: 'Numeric id or "device.property"' },
          },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time', description: 'Default: 24 hours before `to`' },
            to: { type: 'string', format: 'date-time', description: 'Default: now' },
            aggregate: { type: 'string', enum: [...AGGREGATES] },
            interval: { type: 'string', enum: [...INTERVALS], description: 'With `aggregate`; default hour' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              datastream: {
                type: 'object',
                properties: {
                  id: { type: 'integer' },
                  key: { type: 'string' },
                  deviceId: { type: 'string' },
                  property: { type: 'string' },
                  unit: { type: 'string' },
                },
              },
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              aggregate: { type: ['string', 'null'] },
              interval: { type: ['string', 'null'] },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    time: { type: 'string', format: 'date-time' },
                    value: { type: 'number' },
                    quality: { type: 'string' },
                    count: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) =>
      queryObservations(
        kernel.db,
        request.principal,
        (request.params as { id: string }).id,
        request.query as ObservationQuery,
        {
          now: kernel.clock.now(),
          timeZone: kernel.config.timeZone,
          retentionDays: kernel.config.observationRetentionDays,
        },
      ),
  );
}
