/** Departments and posts under `/api/v1`. Handlers validate, call one service, return. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission } from '../identity/index.ts';
import type { DepartmentKind, Kernel } from '../kernel/index.ts';
import {
  createDepartment,
  type DepartmentInput,
  deleteDepartment,
  getDepartment,
  listDepartments,
  updateDepartment,
} from './departments.ts';
import { codeList, codeParams, departmentKind, localizedText, secured, slugCode } from './org-schemas.ts';
import { registerPostRoutes } from './post-routes.ts';

/** Registers the department routes, then the posts' (`post-routes.ts`). */
export function registerDepartmentRoutes(app: FastifyInstance, kernel: Kernel) {
  const { db } = kernel;
  const read = requirePermission('org.read');
  const write = requirePermission('org.write');
  const tags = ['departments'];
  const deptProps = {
    name: localizedText,
    kind: departmentKind,
    parentCode: { type: ['string', 'null'], maxLength: 96 },
    divisionCodes: codeList,
  } as const;
  // A department as `toDepartment` (departments.ts) builds it; the generated web types read it.
  const department = {
    type: 'object',
    properties: {
      code: { type: 'string' },
      name: localizedText,
      kind: departmentKind,
      parentCode: { type: ['string', 'null'] },
      divisionCodes: { type: 'array', items: { type: 'string' } },
      source: { type: 'string', description: '`core`, `admin`, or the plate that declared it' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  } as const;

  app.get(
    '/api/v1/departments',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'List departments',
        security: secured,
        querystring: {
          type: 'object',
          properties: { kind: departmentKind, parent: { type: 'string', maxLength: 96 } },
        },
        response: { 200: { type: 'array', items: department } },
      },
    },
    async (request) =>
      listDepartments(db, actorOf(request), request.query as { kind?: DepartmentKind; parent?: string }),
  );
  app.get(
    '/api/v1/departments/:code',
    {
      preHandler: read,
      schema: {
        tags,
        summary: 'One department',
        security: secured,
        params: codeParams,
        response: { 200: department },
      },
    },
    async (request) => getDepartment(db, actorOf(request), (request.params as { code: string }).code),
  );
  app.post(
    '/api/v1/departments',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Create a department',
        security: secured,
        body: {
          type: 'object',
          required: ['code', 'name', 'kind'],
          additionalProperties: false,
          properties: { code: slugCode, ...deptProps },
        },
        response: { 201: department },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDepartment(db, request.body as DepartmentInput, actorOf(request))),
  );
  app.patch(
    '/api/v1/departments/:code',
    {
      preHandler: write,
      schema: {
        tags,
        summary: 'Change a department',
        security: secured,
        params: codeParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: deptProps },
        response: { 200: department },
      },
    },
    async (request) =>
      updateDepartment(
        db,
        (request.params as { code: string }).code,
        request.body as Partial<DepartmentInput>,
        actorOf(request),
      ),
  );
  app.delete(
    '/api/v1/departments/:code',
    {
      preHandler: write,
      schema: { tags, summary: 'Delete an unused department', security: secured, params: codeParams },
    },
    async (request, reply) => {
      await deleteDepartment(db, (request.params as { code: string }).code, actorOf(request));
      return reply.status(204).send();
    },
  );

  // The posts' paths follow the departments' in the OpenAPI document.
  registerPostRoutes(app, kernel);
}
