/**
 * The data hub's REST API under `/api/v1`: devices, datastreams, observations, dead letters.
 * Handlers validate with their schema, call one service, and return.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  actorOf,
  authenticate,
  authorize,
  type Principal,
  requirePermission,
  routeAccess,
} from '../identity/index.ts';
import { type Kernel, UnauthenticatedError } from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import { listDeadLetters } from './dead-letters.ts';
import {
  DEVICE_KEY_PREFIX,
  DEVICE_STATUSES,
  deleteDevice,
  getDevice,
  type ListDevicesQuery,
  listDatastreams,
  listDevices,
  type RegisterDeviceInput,
  registerDevice,
  rotateDeviceKey,
  type UpdateDeviceInput,
  updateDevice,
} from './devices.ts';
import { type IngestCaller, ingestObservations, itemsOf, MAX_BATCH_ITEMS, QUALITIES } from './ingestion.ts';
import { AGGREGATES, INTERVALS, type ObservationQuery, queryObservations } from './observation-query.ts';
import type { ObservationWriter } from './observation-writer.ts';

const tags = ['datahub'];
const security: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

const location = {
  type: ['object', 'null'],
  required: ['lat', 'lon'],
  additionalProperties: false,
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
  },
} as const;

const device = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    sensorType: { type: 'string' },
    moduleId: { type: 'string' },
    ngsiType: { type: ['string', 'null'] },
    location: {
      type: ['object', 'null'],
      properties: { lat: { type: 'number' }, lon: { type: 'number' } },
    },
    divisionCode: { type: ['string', 'null'] },
    districtCode: { type: ['string', 'null'] },
    departmentCode: { type: ['string', 'null'] },
    status: { type: 'string', enum: [...DEVICE_STATUSES] },
    offline: { type: 'boolean' },
    lastSeenAt: { type: ['string', 'null'], format: 'date-time' },
    keyPrefix: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const withKey = {
  type: 'object',
  properties: {
    device,
    key: { type: 'string', description: 'The device key; shown only now, store it on the device.' },
  },
} as const;

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

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

// Items are deliberately not validated by the schema: a bad item is reported in `rejected`
// by its index instead of failing the whole request with a 400.
const observationItem = {
  description:
    'One observation `{datastream?, device?, property?, time, value, quality?}`: `datastream` is a ' +
    'numeric id or "device.property", or else `device` + `property` (with a device key, `device` ' +
    'defaults to that device); `time` is RFC 3339 with a zone; `value` a finite number; `quality` ' +
    `one of ${QUALITIES.join(', ')}.`,
} as const;

const ingestReport = {
  type: 'object',
  properties: {
    accepted: { type: 'integer', description: 'Observations stored by this request' },
    duplicates: { type: 'integer', description: 'Already stored (same datastream and time); unchanged' },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        properties: { index: { type: 'integer' }, reason: { type: 'string' } },
      },
    },
  },
} as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on the ingestion route: who sends the observations. */
    ingestCaller?: IngestCaller;
  }
}

/**
 * Authenticates an ingestion request: a device key (`X-API-Key: ocd_…`) makes the device the
 * caller; anything else goes through identity (service API key or bearer token) and needs
 * `observation.ingest`.
 */
async function authenticateIngest(this: FastifyInstance, request: FastifyRequest, reply: unknown) {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.startsWith(DEVICE_KEY_PREFIX)) {
    const hub = (request.server as FastifyInstance & { datahub: DatahubContext }).datahub;
    const deviceId = await hub.catalog.deviceForKey(header);
    if (!deviceId) throw new UnauthenticatedError('The device key is not valid.', 'auth.device_key_invalid');
    request.ingestCaller = { kind: 'device', deviceId };
    // Devices count against their own allowance of the request rate limit, not their address's.
    request.rateLimitSubject = `device:${deviceId}`;
    return;
  }
  await authenticate.call(this, request, reply as never);
  authorize(request.principal, 'observation.ingest');
  request.ingestCaller = { kind: 'principal', principal: request.principal };
}

/** Registers the routes; `writer` takes the observations. */
export function registerDatahubRoutes(
  app: FastifyInstance,
  kernel: Kernel,
  hub: DatahubContext,
  writer: () => ObservationWriter,
) {
  app.decorate('datahub', hub);
  const principal = (request: FastifyRequest): Principal => request.principal;

  app.post(
    '/api/v1/devices',
    {
      preHandler: requirePermission('device.write'),
      schema: {
        tags,
        summary: 'Register a device; answers its key once',
        security,
        body: {
          type: 'object',
          required: ['id', 'name', 'sensorType'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,63}$' },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            sensorType: { type: 'string', maxLength: 100 },
            location,
            departmentCode: { type: ['string', 'null'], maxLength: 64 },
            status: { type: 'string', enum: [...DEVICE_STATUSES] },
          },
        },
        response: { 201: withKey },
      },
    },
    async (request, reply) => {
      const result = await registerDevice(
        kernel.db,
        hub,
        request.body as RegisterDeviceInput,
        actorOf(request),
      );
      return reply.status(201).header('location', `/api/v1/devices/${result.device.id}`).send(result);
    },
  );

  app.get(
    '/api/v1/devices',
    {
      preHandler: requirePermission('device.read'),
      schema: {
        tags,
        summary: 'Devices inside your jurisdiction or of your departments',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            sensorType: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: [...DEVICE_STATUSES] },
            offline: { type: 'boolean' },
            division: { type: 'string', pattern: '^[0-9]{1,20}$' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: device }, total: { type: 'integer' } },
          },
        },
      },
    },
    async (request) => listDevices(kernel.db, hub, principal(request), request.query as ListDevicesQuery),
  );

  app.get(
    '/api/v1/devices/:id',
    {
      preHandler: requirePermission('device.read'),
      schema: { tags, summary: 'One device', security, params: idParam, response: { 200: device } },
    },
    async (request) => getDevice(kernel.db, hub, principal(request), (request.params as { id: string }).id),
  );

  app.patch(
    '/api/v1/devices/:id',
    {
      preHandler: requirePermission('device.write'),
      schema: {
        tags,
        summary: 'Change a device: name, location, owner department, status',
        security,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            location,
            departmentCode: { type: ['string', 'null'], maxLength: 64 },
            status: { type: 'string', enum: [...DEVICE_STATUSES] },
          },
        },
        response: { 200: device },
      },
    },
    async (request) =>
      updateDevice(
        kernel.db,
        hub,
        (request.params as { id: string }).id,
        request.body as UpdateDeviceInput,
        actorOf(request),
      ),
  );

  app.delete(
    '/api/v1/devices/:id',
    {
      preHandler: requirePermission('device.write'),
      schema: {
        tags,
        summary: 'Delete a device with its datastreams and observations',
        security,
        params: idParam,
      },
    },
    async (request, reply) => {
      await deleteDevice(kernel.db, hub, (request.params as { id: string }).id, actorOf(request));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/devices/:id/key',
    {
      preHandler: requirePermission('device.write'),
      schema: {
        tags,
        summary: 'Rotate the device key: a new key is answered once, the old one stops working',
        security,
        params: idParam,
        response: { 200: withKey },
      },
    },
    async (request) =>
      rotateDeviceKey(kernel.db, hub, (request.params as { id: string }).id, actorOf(request)),
  );

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
      items: await listDatastreams(kernel.db, principal(request), (request.params as { id: string }).id),
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
        principal(request),
        (request.params as { id: string }).id,
        request.query as ObservationQuery,
        {
          now: kernel.clock.now(),
          timeZone: kernel.config.timeZone,
          retentionDays: kernel.config.observationRetentionDays,
        },
      ),
  );

  app.post(
    '/api/v1/observations',
    {
      // Before validation: callers without a device key or observation.ingest get 401/403, not 400.
      preValidation: authenticateIngest,
      config: routeAccess('observation.ingest'),
      schema: {
        tags,
        summary: `Ingest up to ${MAX_BATCH_ITEMS} observations; answers after they are stored`,
        description:
          'Authenticate with a device key (`X-API-Key: ocd_…`, own datastreams only) or as a ' +
          'principal with `observation.ingest`. The body is an array of observations or ' +
          '`{"items": [...]}`. Repeats of a (datastream, time) are counted as duplicates. With ' +
          '`atomic=true` one bad item refuses the whole batch (400 `ingest.batch_rejected`). ' +
          'When the write queue is full: 503 `ingest.overloaded` with Retry-After.',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { atomic: { type: 'boolean', default: false } },
        },
        body: {
          anyOf: [
            { type: 'array', maxItems: MAX_BATCH_ITEMS, items: observationItem },
            {
              type: 'object',
              required: ['items'],
              properties: { items: { type: 'array', maxItems: MAX_BATCH_ITEMS, items: observationItem } },
            },
          ],
        },
        response: { 200: ingestReport },
      },
    },
    async (request) =>
      ingestObservations(hub, writer(), request.ingestCaller!, itemsOf(request.body) ?? [], {
        atomic: (request.query as { atomic?: boolean }).atomic,
        now: kernel.clock.now(),
      }),
  );

  app.get(
    '/api/v1/datahub/dead-letters',
    {
      preHandler: requirePermission('device.write'),
      schema: {
        tags,
        summary: 'MQTT messages that could not be ingested, with the reason (newest first)',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            deviceId: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => ({
      items: await listDeadLetters(kernel.db, principal(request), request.query as { deviceId?: string }),
    }),
  );
}
