/** Users and service accounts under `/api/v1/users`. */
import type { FastifyInstance } from 'fastify';
import { type Kernel, pageOf } from '../../kernel/index.ts';
import { actorOf, requirePermission } from '../authenticate.ts';
import { ROLES } from '../permissions.ts';
import { revokeUserSessions } from '../sessions.ts';
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
} from '../users.ts';
import { bearer, codeList, idParams, roleList, userSchema } from './schemas.ts';

/** Registers the routes that list, create, read and change users, their passwords and sessions. */
export function registerUserRoutes(app: FastifyInstance, kernel: Kernel) {
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
          200: pageOf(userSchema),
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
}
