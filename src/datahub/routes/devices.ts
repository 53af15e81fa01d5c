/** Devices under `/api/v1/devices`: register, list, read, change, delete, rotate their key. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../../identity/index.ts';
import { type Kernel, pageOf } from '../../kernel/index.ts';
import type { DatahubContext } from '../datahub-context.ts';
import {
  DEVICE_STATUSES,
  deleteDevice,
  getDevice,
  type ListDevicesQuery,
  listDevices,
  type RegisterDeviceInput,
  registerDevice,
  rotateDeviceKey,
  type UpdateDeviceInput,
  updateDevice,
} from '../devices.ts';
import { idParam, security, tags } from './schemas.ts';

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

/** Registers the device routes. */
export function registerDeviceRoutes(app: FastifyInstance, kernel: Kernel, hub: DatahubContext) {
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
          200: pageOf(device),
        },
      },
    },
    async (request) => listDevices(kernel.db, hub, request.principal, request.query as ListDevicesQuery),
  );

  app.get(
    '/api/v1/devices/:id',
    {
      preHandler: requirePermission('device.read'),
      schema: { tags, summary: 'One device', security, params: idParam, response: { 200: device } },
    },
    async (request) => getDevice(kernel.db, hub, request.principal, (request.params as { id: string }).id),
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
}
