/**
 * The data hub's REST API under `/api/v1`: devices, datastreams, observations, dead letters,
 * each resource's routes in `routes/`. Handlers validate with their schema, call one
 * service, and return.
 */
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import type { ObservationWriter } from './observation-writer.ts';
import { registerDatastreamRoutes } from './routes/datastreams.ts';
import { registerDeadLetterRoutes } from './routes/dead-letters.ts';
import { registerDeviceRoutes } from './routes/devices.ts';
import { registerObservationRoutes } from './routes/observations.ts';

/** Registers the routes; `writer` takes the observations. */
export function registerDatahubRoutes(
  app: FastifyInstance,
  kernel: Kernel,
  hub: DatahubContext,
  writer: () => ObservationWriter,
) {
  app.decorate('datahub', hub);
  // In this order, which is the order of the paths in the OpenAPI document.
  registerDeviceRoutes(app, kernel, hub);
  registerDatastreamRoutes(app, kernel);
  registerObservationRoutes(app, kernel, hub, writer);
  registerDeadLetterRoutes(app, kernel);
}
