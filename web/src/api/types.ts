/**
 * Shapes of the server's answers, as far as the web app reads them: aliases of the types
 * generated from the OpenAPI document (`schema.gen.ts`, `npm run api-types`), so a changed
 * route schema fails the web typecheck where the app reads it (docs/web.md#api-types).
 * The shapes marked "by hand" belong to routes that state no response schema yet.
 */
import type { paths } from './schema.gen.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/** The JSON answer of an endpoint, from its response schema (status 200 unless told). */
export type Answer<P extends keyof paths, M extends Method, S extends number = 200> =
  NonNullable<paths[P][M]> extends { responses: infer R }
    ? S extends keyof R
      ? JsonOf<R[S]>
      : never
    : never;

/** The query parameters of an endpoint, from its querystring schema. */
export type QueryOf<P extends keyof paths, M extends Method> =
  NonNullable<paths[P][M]> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** The JSON body of an endpoint, from its body schema. */
export type BodyOf<P extends keyof paths, M extends Method> =
  NonNullable<paths[P][M]> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/**
 * Compiles only when `A` and `B` are the same type: the lists the app needs at run time
 * (selects, filters) are checked against the server's enums this way.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(proof: Same<A, B>) => proof;

export const ROLES = [
  'citizen',
  'grid_worker',
  'supervision_operator',
  'dispatcher',
  'department_handler',
  'department_leader',
  'street_officer',
  'city_leader',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is signed in, with the permissions the roles grant. */
export type Me = Answer<'/api/v1/auth/me', 'get'>;
same<Role, Me['roles'][number]>(true);

export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

export const CASE_STATES = [
  'reported',
  'filed',
  'rejected',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'closed',
  'evaluated',
  'merged',
  'extension_pending',
  'deferred',
  'parked',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const URGENCIES = ['normal', 'urgent', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];
same<Urgency, NonNullable<QueryOf<'/api/v1/cases', 'get'>['urgency']>>(true);

export const CHANNELS = [
  'hotline',
  'web',
  'app',
  'open311',
  'grid_patrol',
  'sensor_alert',
  'video_alert',
  'higher_assignment',
  'media',
] as const;
export type Channel = (typeof CHANNELS)[number];
same<Channel, BodyOf<'/api/v1/cases', 'post'>['channel']>(true);

export type SlaLight = 'green' | 'yellow' | 'red';
export const SATISFACTION = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];
same<Satisfaction, NonNullable<BodyOf<'/api/v1/cases/{id}/actions/{action}', 'post'>['satisfaction']>>(true);

/** A case as the case API answers it. By hand: the case routes state no response schema. */
export interface CaseView {
  id: string;
  number: string;
  channel: Channel;
  category: string;
  module?: string;
  urgency: Urgency;
  state: CaseState;
  version: number;
  location: { lat: number; lon: number; address: string | null };
  divisions: {
    grid: string | null;
    community: string | null;
    street: string | null;
    district: string | null;
  };
  description: string;
  media: string[];
  leadDepartment: string | null;
  assistDepartments: string[];
  responsibility?: { ruleId: string | null; listVersion: number | string | null; override: boolean };
  light: SlaLight | null;
  stage?: { stage: string; deadline: string | null; light: SlaLight } | null;
  deadlines?: Record<string, string>;
  satisfaction?: Satisfaction | null;
  duplicateCandidates?: Array<{ id: string; number: string; distanceMeters: number }>;
  linkage?: Array<{
    whistleId: number;
    department: string;
    deadline: string;
    reportedInAt: string | null;
    missed: boolean;
    rating: number | null;
  }>;
  allowedActions?: string[];
  reportedAt: string;
  updatedAt: string;
  closedAt?: string | null;
}

/** One step of a case's history. By hand: the route states no response schema. */
export interface HistoryEntry {
  seq: number;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  actor: string;
  actorRoles?: string[];
  at: string;
  params: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor?: string | null;
}

/** By hand: the division routes state no response schema. */
export interface Division {
  code: string;
  level: 'city' | 'district' | 'street' | 'community' | 'grid';
  name: LocalizedText;
  parentCode: string | null;
  bbox: [number, number, number, number];
  boundary?: GeoJSON.Polygon | GeoJSON.MultiPolygon;
}
same<Division['level'], NonNullable<QueryOf<'/api/v1/divisions', 'get'>['level']>>(true);

/** A department, with the divisions it serves (none: the whole city). */
export type Department = Answer<'/api/v1/departments', 'get'>[number];

/** The kinds of department the org API accepts. */
export const DEPARTMENT_KINDS = [
  'bureau',
  'district_government',
  'street_office',
  'utility',
  'enterprise',
  'center',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];
same<DepartmentKind, BodyOf<'/api/v1/departments', 'post'>['kind']>(true);

/**
 * One whistle (街乡吹哨) with its case and the report-ins of the summoned departments. By
 * hand: the route states no response schema.
 */
export interface WhistleView {
  whistleId: number;
  caseId: string;
  caseNumber: string;
  caseState: CaseState;
  category: string;
  location: { lat: number; lon: number; address: string | null };
  divisions: { grid: string | null; street: string | null; district: string | null };
  whistledBy: string;
  note: string | null;
  whistledAt: string;
  deadline: string;
  departments: Array<{
    department: string;
    reportedInAt: string | null;
    reportedInBy: string | null;
    missed: boolean;
    rating: number | null;
  }>;
  pending: number;
  missed: number;
}

/** An Open311 service: a reportable category of the module catalogues. By hand: no response schema. */
export interface Service {
  service_code: string;
  service_name: string;
  group: string | null;
}

/** A registered device (sensor, camera…). */
export type Device = Answer<'/api/v1/devices', 'get'>['items'][number];

/** One datastream of a device, with its latest observation. */
export type Datastream = Answer<'/api/v1/devices/{id}/datastreams', 'get'>['items'][number];

/** A user or service account as the administration lists it. */
export type UserView = Answer<'/api/v1/users', 'get'>['items'][number];

/**
 * An API key; `key`, the secret, is in the answer that issues it only (the list's schema
 * states no `required`, so the generated type has it always).
 */
export type ApiKeyView = Omit<Answer<'/api/v1/api-keys', 'get'>['items'][number], 'key'> & { key?: string };

/** One record of the audit chain. */
export type AuditRecord = Answer<'/api/v1/audit', 'get'>['items'][number];
