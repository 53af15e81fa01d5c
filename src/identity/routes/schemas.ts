/** Schema fragments the identity routes share: users, their roles and scope, ids, security. */
import { ROLES } from '../permissions.ts';

/** Department or division codes. */
export const codeList = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 64 },
  maxItems: 200,
} as const;

/** Roles, each at most once. */
export const roleList = {
  type: 'array',
  items: { type: 'string', enum: [...ROLES] },
  maxItems: ROLES.length,
} as const;

/** A user or service account as answered. */
export const userSchema = {
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

/** The `:id` path parameter. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

/** Bearer token or API key. */
export const bearer: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];
