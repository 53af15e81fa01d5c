/**
 * Every server endpoint the web app uses, in one place. Screens ask the server's OpenAPI
 * document whether an endpoint exists and show "waiting for API" when it does not, so the
 * app never invents data for a server feature that is not there yet.
 */
export interface Endpoint {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI path template, e.g. `/api/v1/cases/{id}`. */
  readonly path: string;
}

const e = (method: Endpoint['method'], path: string): Endpoint => Object.freeze({ method, path });

export const ENDPOINTS = {
  login: e('POST', '/api/v1/auth/login'),
  me: e('GET', '/api/v1/auth/me'),
  logout: e('POST', '/api/v1/auth/logout'),
  cases: e('GET', '/api/v1/cases'),
  caseCreate: e('POST', '/api/v1/cases'),
  caseOne: e('GET', '/api/v1/cases/{id}'),
  caseHistory: e('GET', '/api/v1/cases/{id}/history'),
  caseAction: e('POST', '/api/v1/cases/{id}/actions/{action}'),
  divisions: e('GET', '/api/v1/divisions'),
  publicDivisions: e('GET', '/api/v1/public/divisions.geojson'),
  modules: e('GET', '/api/v1/modules'),
  divisionImport: e('POST', '/api/v1/divisions/import'),
  departments: e('GET', '/api/v1/departments'),
  departmentCreate: e('POST', '/api/v1/departments'),
  departmentUpdate: e('PATCH', '/api/v1/departments/{code}'),
  departmentDelete: e('DELETE', '/api/v1/departments/{code}'),
  linkageWhistles: e('GET', '/api/v1/linkage/whistles'),
  responsibilityRules: e('GET', '/api/v1/responsibility/rules'),
  responsibilityRuleCreate: e('POST', '/api/v1/responsibility/rules'),
  responsibilityRuleUpdate: e('PATCH', '/api/v1/responsibility/rules/{ruleId}'),
  responsibilityRuleDelete: e('DELETE', '/api/v1/responsibility/rules/{ruleId}'),
  responsibilityVersions: e('GET', '/api/v1/responsibility/versions'),
  responsibilityResolve: e('GET', '/api/v1/responsibility/resolve'),
  services: e('GET', '/open311/v2/services.json'),
  devices: e('GET', '/api/v1/devices'),
  deviceStreams: e('GET', '/api/v1/devices/{id}/datastreams'),
  indicators: e('GET', '/api/v1/indicators'),
  rankings: e('GET', '/api/v1/indicators/rankings'),
  stream: e('GET', '/api/v1/stream'),
  streamTicket: e('POST', '/api/v1/stream/tokens'),
  media: e('POST', '/api/v1/media'),
  mediaOne: e('GET', '/api/v1/media/{name}'),
  users: e('GET', '/api/v1/users'),
  userCreate: e('POST', '/api/v1/users'),
  apiKeys: e('GET', '/api/v1/api-keys'),
  apiKeyIssue: e('POST', '/api/v1/api-keys'),
  apiKeyRevoke: e('DELETE', '/api/v1/api-keys/{id}'),
  audit: e('GET', '/api/v1/audit'),
  auditVerify: e('POST', '/api/v1/audit/verify'),
  citizenReport: e('POST', '/api/v1/citizen/reports'),
  citizenMine: e('GET', '/api/v1/citizen/reports'),
  citizenFollow: e('GET', '/api/v1/citizen/reports/{ref}'),
  citizenRate: e('POST', '/api/v1/citizen/reports/{ref}/rating'),
  publicCases: e('GET', '/api/v1/public/cases'),
  publicDistricts: e('GET', '/api/v1/public/districts'),
} as const;

export type EndpointName = keyof typeof ENDPOINTS;

/** Fills `{name}` placeholders of a path template. */
export function pathOf(endpoint: Endpoint, params: Record<string, string> = {}): string {
  return endpoint.path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
}
