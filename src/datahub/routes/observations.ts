/** Ingestion of observations over HTTP at `/api/v1/observations` (docs/datahub.md). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, authorize, routeAccess } from '../../identity/index.ts';
import { type Kernel, UnauthenticatedError } from '../../kernel/index.ts';
import type { DatahubContext } from '../datahub-context.ts';
import { DEVICE_KEY_PREFIX } from '../device-key.ts';
import { type IngestCaller, ingestObservations, itemsOf, MAX_BATCH_ITEMS, QUALITIES } from '../ingestion.ts';
import type { ObservationWriter } from '../observation-writer.ts';
import { security, tags } from './schemas.ts';

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

/** Registers the ingestion route; `writer` takes the observations. */
export function registerObservationRoutes(
  app: FastifyInstance,
  kernel: Kernel,
  hub: DatahubContext,
  writer: () => ObservationWriter,
) {
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
}
