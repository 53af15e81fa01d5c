import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../kernel/index.ts';
import type { IdentitySettings } from './identity-settings.ts';
import { registerApiKeyRoutes } from './routes/api-keys.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerUserRoutes } from './routes/users.ts';

/**
 * Authentication, users and API keys under `/api/v1`, each resource's routes in `routes/`.
 * Handlers validate, call one service, return.
 */
export function registerIdentityRoutes(app: FastifyInstance, kernel: Kernel, settings: IdentitySettings) {
  // In this order, which is the order of the paths in the OpenAPI document.
  registerAuthRoutes(app, kernel, settings);
  registerUserRoutes(app, kernel);
  registerApiKeyRoutes(app, kernel);
}
