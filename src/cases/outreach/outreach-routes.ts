/**
 * HTTP face of the outreach wing: the notification inbox, webhooks, indicators and the live
 * stream, one file per resource, registered here in that order.
 */
import type { FastifyInstance } from 'fastify';
import type { CaseEngine } from '../case-engine.ts';
import type { CaseStreamHub } from '../stream/case-stream.ts';
import { registerInboxRoutes } from './inbox-routes.ts';
import { registerIndicatorRoutes } from './indicator-routes.ts';
import { registerStreamRoutes } from './stream-routes.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';

/** Registers `/api/v1/notifications`, `/api/v1/webhooks`, `/api/v1/indicators`, `/api/v1/stream`. */
export function registerOutreachRoutes(
  app: FastifyInstance,
  engine: () => CaseEngine,
  hub: () => CaseStreamHub,
): void {
  registerInboxRoutes(app, engine);
  registerWebhookRoutes(app, engine);
  registerIndicatorRoutes(app, engine);
  registerStreamRoutes(app, engine, hub);
}
