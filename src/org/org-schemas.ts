/** JSON schemas shared by the organization's routes. */
import { DEPARTMENT_KINDS } from '../kernel/index.ts';
import { ROLES } from '../identity/index.ts';
import { DIVISION_LEVELS } from './division-levels.ts';

export const localizedText = {
  type: 'object',
  required: ['zh-CN', 'en'],
  additionalProperties: false,
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 200 },
    en: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** The outline of a GeoJSON Polygon/MultiPolygon; rings are checked by the service. */
export const areaGeometry = {
  type: 'object',
  required: ['type', 'coordinates'],
  properties: {
    type: { type: 'string', enum: ['Polygon', 'MultiPolygon'] },
    coordinates: { type: 'array', minItems: 1 },
  },
} as const;

export const divisionCode = { type: 'string', pattern: '^[0-9]{4,14}$' } as const;
export const divisionLevel = { type: 'string', enum: [...DIVISION_LEVELS] } as const;
export const slugCode = {
  type: 'string',
  minLength: 2,
  maxLength: 96,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
} as const;
export const codeList = {
  type: 'array',
  items: { type: 'string', minLength: 1, maxLength: 96 },
  maxItems: 500,
} as const;
export const departmentKind = { type: 'string', enum: [...DEPARTMENT_KINDS] } as const;
export const roleOrNull = { type: ['string', 'null'], enum: [...ROLES, null] } as const;

export const codeParams = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', minLength: 1, maxLength: 96 } },
} as const;

export const lat = { type: 'number', minimum: -90, maximum: 90 } as const;
export const lon = { type: 'number', minimum: -180, maximum: 180 } as const;

/** Security requirement of protected routes (bearer token or API key). */
export const secured: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

const located = {
  type: ['object', 'null'],
  properties: { code: { type: 'string' }, name: localizedText },
} as const;

/** The answer of a point lookup. */
export const locatedChain = {
  type: 'object',
  properties: { grid: located, community: located, street: located, district: located, city: located },
} as const;
