/** Authentication under `/api/v1/auth`: log in, log out, who am I. */
import type { FastifyInstance } from 'fastify';
import { type Kernel, UnauthenticatedError } from '../../kernel/index.ts';
import { actorOf, requireAuthenticated, routeAccess } from '../authenticate.ts';
import type { IdentitySettings } from '../identity-settings.ts';
import { permissionsOf } from '../permissions.ts';
import { login, revokeSession } from '../sessions.ts';
import { bearer, codeList, roleList, userSchema } from './schemas.ts';

/** Registers the login, logout and `me` routes. */
export function registerAuthRoutes(app: FastifyInstance, kernel: Kernel, settings: IdentitySettings) {
  app.post(
    '/api/v1/auth/login',
    {
      config: routeAccess('public'),
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; returns an opaque bearer token',
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 64 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              tokenType: { type: 'string' },
              expiresAt: { type: 'string', format: 'date-time' },
              user: userSchema,
            },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as { username: string; password: string };
      return login(
        kernel.db,
        settings,
        { ...body, address: request.ip },
        {
          now: kernel.clock.now(),
          requestId: String(request.id),
          bus: kernel.bus,
          principalCache: request.server.principalCache,
        },
      );
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      preHandler: requireAuthenticated,
      schema: { tags: ['auth'], summary: 'Revoke the current session token', security: bearer },
    },
    async (request, reply) => {
      if (request.sessionId) await revokeSession(kernel.db, request.sessionId, actorOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      preHandler: requireAuthenticated,
      schema: {
        tags: ['auth'],
        summary: 'The calling principal, its roles, scope and permissions',
        security: bearer,
        response: {
          200: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              id: { type: 'string' },
              username: { type: 'string' },
              roles: roleList,
              departmentCodes: codeList,
              divisionCodes: codeList,
              permissions: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request) => {
      const p = request.principal;
      if (p.kind === 'anonymous') throw new UnauthenticatedError();
      const permissions = permissionsOf(p.roles).filter((x) => !p.scopes || p.scopes.includes(x));
      return { ...p, permissions };
    },
  );
}
