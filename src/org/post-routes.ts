/** Posts (岗位) of departments under `/api/v1/posts`. Handlers validate, call one service, return. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../identity/index.ts';
import type { Kernel } from '../kernel/index.ts';
import { createPost, deletePost, getPost, listPosts, type PostInput, updatePost } from './departments.ts';
import { codeList, codeParams, localizedText, roleOrNull, secured, slugCode } from './org-schemas.ts';

/** Registers the post routes. */
export function registerPostRoutes(app: FastifyInstance, kernel: Kernel) {
  const { db } = kernel;
  const read = requirePermission('org.read');
  const write = requirePermission('org.write');
  const postTags = ['posts'];
  const postProps = {
    departmentCode: { type: 'string', minLength: 1, maxLength: 96 },
    name: localizedText,
    role: roleOrNull,
    holderIds: codeList,
  } as const;
  app.get(
    '/api/v1/posts',
    {
      preHandler: read,
      schema: {
        tags: postTags,
        summary: 'List posts (岗位)',
        security: secured,
        querystring: { type: 'object', properties: { department: { type: 'string', maxLength: 96 } } },
      },
    },
    async (request) => listPosts(db, actorOf(request), request.query as { department?: string }),
  );
  app.get(
    '/api/v1/posts/:code',
    {
      preHandler: read,
      schema: { tags: postTags, summary: 'One post', security: secured, params: codeParams },
    },
    async (request) => getPost(db, actorOf(request), (request.params as { code: string }).code),
  );
  app.post(
    '/api/v1/posts',
    {
      preHandler: write,
      schema: {
        tags: postTags,
        summary: 'Create a post in a department',
        security: secured,
        body: {
          type: 'object',
          required: ['code', 'departmentCode', 'name'],
          additionalProperties: false,
          properties: { code: slugCode, ...postProps },
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createPost(db, request.body as PostInput, actorOf(request))),
  );
  app.patch(
    '/api/v1/posts/:code',
    {
      preHandler: write,
      schema: {
        tags: postTags,
        summary: 'Change a post or its holders',
        security: secured,
        params: codeParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: postProps },
      },
    },
    async (request) =>
      updatePost(
        db,
        (request.params as { code: string }).code,
        request.body as Partial<PostInput>,
        actorOf(request),
      ),
  );
  app.delete(
    '/api/v1/posts/:code',
    {
      preHandler: write,
      schema: { tags: postTags, summary: 'Delete a post', security: secured, params: codeParams },
    },
    async (request, reply) => {
      await deletePost(db, (request.params as { code: string }).code, actorOf(request));
      return reply.status(204).send();
    },
  );
}
