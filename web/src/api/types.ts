/**
 * Shapes of the server's answers, as far as the web app reads them: aliases of the types
 * generated from the OpenAPI document (`schema.gen.ts`, `npm run api-types`), so a changed
 * route schema fails the web typecheck where the app reads it (docs/web.md#api-types).
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

/** A case as the case API answers it (`reporters` and `linkage` with one case only). */
export type CaseView = Answer<'/api/v1/cases/{id}', 'get'>;
same<CaseState, CaseView['state']>(true);
same<Channel, CaseView['channel']>(true);
same<Urgency, CaseView['urgency']>(true);
same<SlaLight | null, CaseView['light']>(true);
same<Satisfaction | null, CaseView['satisfaction']>(true);

/** One page of cases, with how many match. */
export type CasePage = Answer<'/api/v1/cases', 'get'>;
same<CaseView, CasePage['items'][number]>(true);

/** A page of a list route as the case list answers one: items, how many match, the window. */
export type Page<T> = Omit<CasePage, 'items'> & { items: T[] };

/** One step of a case's history. */
export type HistoryEntry = Answer<'/api/v1/cases/{id}/history', 'get'>['entries'][number];

/** A division; `boundary` only with one division or a list asked `boundary=true`. */
export type Division = Answer<'/api/v1/divisions/{code}', 'get'>;
same<Division, Answer<'/api/v1/divisions', 'get'>[number]>(true);
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

/** One whistle (街乡吹哨) with its case and the report-ins of the summoned departments. */
export type WhistleView = Answer<'/api/v1/linkage/whistles', 'get'>['items'][number];

/** An Open311 service: a reportable category of the module catalogues. */
export type Service = Answer<'/open311/v2/services.json', 'get'>[number];

/** The filters of the case list. */
export type CaseQuery = QueryOf<'/api/v1/cases', 'get'>;

/** Who the responsibility list makes responsible for a case, and the rule that decided. */
export type Responsibility = Answer<'/api/v1/responsibility/resolve', 'get'>;

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
