import type { FastifyInstance } from 'fastify';
import { type Kernel, UnauthenticatedError } from '../kernel/index.ts';
import { issueApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { actorOf, requireAuthenticated, requirePermission, routeAccess } from './authenticate.ts';
import type { IdentitySettings } from './identity-settings.ts';
import { PERMISSIONS, permissionsOf, ROLES } from './permissions.ts';
import { login, revokeSession, revokeUserSessions } from './sessions.ts';
import {
  type CreateUserInput,
  createUser,
  getUser,
  type ListUsersQuery,
  listUsers,
  resetPassword,
  type UpdateUserInput,
  USERNAME_PATTERN,
  updateUser,
} from './users.ts';

const codeList = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 64 },
  maxItems: 200,
} as const;
const roleList = {
  type: 'array',
  items: { type: 'string', enum: [...ROLES] },
  maxItems: ROLES.length,
} as const;
const scopeList = {
  type: 'array',
  items: { type: 'string', enum: Object.keys(PERMISSIONS) },
  minItems: 1,
} as const;

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    kind: { type: 'string', enum: ['user', 'service'] },
    roles: roleList,
    departmentCodes: codeList,
    divisionCodes: codeList,
    phone: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
  },
} as const;

const apiKeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    username: { type: 'string' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    key: { type: 'string', description: 'The secret; returned only when the key is issued.' },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;
const bearer: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

/** Authentication, users and API keys under `/api/v1`. Handlers validate, call one service, return. */
export function registerIdentityRoutes(app: FastifyInstance, kernel: Kernel, settings: IdentitySettings) {
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
        { now: kernel.clock.now(), requestId: String(request.id), bus: kernel.bus },
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

  app.get(
    '/api/v1/users',
    {
      preHandler: requirePermission('user.read'),
      schema: {
        tags: ['users'],
        summary: 'Users and service accounts inside your jurisdiction',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: [...ROLES] },
            kind: { type: 'string', enum: ['user', 'service'] },
            q: { type: 'string', maxLength: 64 },
            includeDisabled: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: userSchema }, total: { type: 'integer' } },
          },
        },
      },
    },
    async (request) => listUsers(kernel.db, request.principal, request.query as ListUsersQuery),
  );

  app.post(
    '/api/v1/users',
    {
      preHandler: requirePermission('user.manage'),
      schema: {
        tags: ['users'],
        summary: 'Create a user (with a password) or a service account (kind "service")',
        security: bearer,
        body: {
          type: 'object',
          required: ['username', 'roles'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', pattern: USERNAME_PATTERN },
            displayName: { type: 'string', maxLength: 200 },
            kind: { type: 'string', enum: ['user', 'service'] },
            password: { type: 'string', maxLength: 1024 },
            roles: { ...roleList, minItems: 1 },
            departmentCodes: codeList,
            divisionCodes: codeList,
            phone: { type: ['string', 'null'], pattern: '^\\+?[0-9][0-9 -]{2,24}$' },
            email: { type: ['string', 'null'], format: 'email', maxLength: 200 },
          },
        },
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const user = await createUser(kernel.db, request.body as CreateUserInput, actorOf(request));
      return reply.status(201).send(user);
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      preHandler: requirePermission('user.read'),
      schema: {
        tags: ['users'],
        summary: 'One user',
        security: bearer,
        params: idParams,
        response: { 200: userSchema },
      },
    },
    async (request) => getUser(kernel.db, request.principal, (request.params as { id: string }).id),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      preHandler: requirePermission('user.manage'),
      schema: {
        tags: ['users'],
        summary: 'Change roles, scope, name, contact or disabled state',
        security: bearer,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            displayName: { type: 'string', maxLength: 200 },
            roles: { ...roleList, minItems: 1 },
            departmentCodes: codeList,
            divisionCodes: codeList,
            phone: { type: ['string', 'null'], pattern: '^\\+?[0-9][0-9 -]{2,24}$' },
            email: { type: ['string', 'null'], format: 'email', maxLength: 200 },
            disabled: { type: 'boolean' },
            version: { type: 'integer', minimum: 1 },
          },
        },
        response: { 200: userSchema },
      },
    },
    async (request) =>
      updateUser(
        kernel.db,
        (request.params as { id: string }).id,
        request.body as UpdateUserInput,
        actorOf(request),
      ),
  );

  app.post(
    '/api/v1/users/:id/password',
    {
      preHandler: requirePermission('user.manage'),
      schema: {
        tags: ['users'],
        summary: "Reset a user's password (revokes their sessions)",
        security: bearer,
        params: idParams,
        body: {
          type: 'object',
          required: ['password'],
          additionalProperties: false,
          properties: { password: { type: 'string', maxLength: 1024 } },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await resetPassword(kernel.db, id, (request.body as { password: string }).password, actorOf(request));
      return reply.status(204).send();
    },
  );

  app.delete(
    '/api/v1/users/:id/sessions',
    {
      preHandler: requirePermission('user.manage'),
      schema: {
        tags: ['users'],
        summary: "Revoke all of a user's sessions",
        security: bearer,
        params: idParams,
        response: { 200: { type: 'object', properties: { revoked: { type: 'integer' } } } },
      },
    },
    async (request) => revokeUserSessions(kernel.db, (request.params as { id: string }).id, actorOf(request)),
  );

  app.post(
    '/api/v1/api-keys',
    {
      preHandler: requirePermission('apikey.manage'),
      schema: {
        tags: ['api-keys'],
        summary: 'Issue an API key to a service account; the key is shown only in this answer',
        security: bearer,
        body: {
          type: 'object',
          required: ['account', 'name', 'scopes'],
          additionalProperties: false,
          properties: {
            account: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: 'Service account id or username',
            },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            scopes: scopeList,
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        response: { 201: apiKeySchema },
      },
    },
    async (request, reply) => {
      const issued = await issueApiKey(
        kernel.db,
        request.body as Parameters<typeof issueApiKey>[1],
        actorOf(request),
      );
      return reply.status(201).send(issued);
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      preHandler: requirePermission('apikey.manage'),
      schema: {
        tags: ['api-keys'],
        summary: 'API keys (without their secrets)',
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { account: { type: 'string', maxLength: 64 }, includeRevoked: { type: 'boolean' } },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: apiKeySchema } } } },
      },
    },
    async (request) => ({ items: await listApiKeys(kernel.db, request.principal, request.query as object) }),
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      preHandler: requirePermission('apikey.manage'),
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        security: bearer,
        params: idParams,
        response: { 200: apiKeySchema },
      },
    },
    async (request) => revokeApiKey(kernel.db, (request.params as { id: string }).id, actorOf(request)),
  );
}
