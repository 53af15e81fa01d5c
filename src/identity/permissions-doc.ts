/**
 * The access rules as data, and `docs/permissions.md` rendered from them. A test fails
 * when the document is out of date; regenerate it with
 * `ONECITY_WRITE_DOCS=1 node scripts/run-tests.mjs src/identity/permissions-doc.test.ts`.
 */
import type { RouteAccess } from './authenticate.ts';
import { CITY_WIDE_ROLES, PERMISSIONS, type Permission, ROLE_PERMISSIONS, ROLES } from './permissions.ts';

export type { RouteAccess };

/** A registered route with the access it declares (route metadata, or the reviewed table). */
export interface DocumentedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  access: RouteAccess;
}

/** What the matrix expects of a route beyond its access. */
export interface RouteAnswers {
  /** What a permitted caller gets for the matrix's minimal request (ids that do not exist, empty bodies). */
  success: number;
  /** Anonymous answer when it is not 401 (public routes default to `success`). */
  anonymous?: number;
  /**
   * For routes whose service checks the permission (their route access is `authenticated`):
   * a caller holding any of these gets through, others get 403 `deniedCode` (`forbidden`).
   */
  permissions?: readonly Permission[];
  deniedCode?: string;
  /** What the route requires, in words, when neither its access nor `permissions` says it. */
  requires?: string;
  note?: string;
}

/**
 * Routes whose access is checked only inside their handler and service, so they carry no
 * route metadata: their access is declared here, reviewed against the services.
 */
export const SERVICE_CHECKED_ROUTES: readonly DocumentedRoute[] = [
  // The stream takes a short-lived `?token=` ticket as well as a bearer token (EventSource
  // cannot send headers), so its own pre-handler authenticates.
  { method: 'GET', url: '/api/v1/stream', access: 'authenticated' },
];

/** Reading cases: `case.read` within the jurisdiction, or `case.report` for one's own reports. */
const CASE_READERS = { permissions: ['case.read', 'case.report'] } as const;
const CASE_MISSING = 'an unknown case: 404, as out of jurisdiction';

/** The answers the matrix checks, per `METHOD url`; routes not listed answer `200`. */
export const ROUTE_ANSWERS: Readonly<Record<string, RouteAnswers>> = {
  'POST /api/v1/auth/logout': { success: 204 },
  'POST /api/v1/users': { success: 201 },
  'POST /api/v1/users/:id/password': { success: 204 },
  'POST /api/v1/api-keys': { success: 201 },
  'GET /api/v1/divisions/locate': {
    success: 404,
    note: '404 `division.outside_city` for a point outside the city',
  },
  'GET /api/v1/divisions/:code': { success: 404, note: 'an unknown code' },
  'POST /api/v1/divisions/import': { success: 400, note: 'an empty body: `division.invalid_geojson`' },
  'POST /api/v1/divisions': { success: 400, note: 'an empty body: `validation_failed`, after the guard' },
  'PUT /api/v1/divisions/:code': {
    success: 400,
    note: 'an empty body: `validation_failed`, after the guard',
  },
  'DELETE /api/v1/divisions/:code': { success: 404, note: 'an unknown code' },
  'GET /api/v1/responsibility-grids/:code': { success: 404, note: 'an unknown code' },
  'PUT /api/v1/responsibility-grids/:code': {
    success: 400,
    note: 'an empty body: `validation_failed`, after the guard',
  },
  'DELETE /api/v1/responsibility-grids/:code': { success: 404, note: 'an unknown code' },
  'GET /api/v1/departments/:code': { success: 404, note: 'an unknown code' },
  'POST /api/v1/departments': { success: 400, note: 'an empty body: `validation_failed`, after the guard' },
  'PATCH /api/v1/departments/:code': {
    success: 400,
    note: 'an empty body: `validation_failed`, after the guard',
  },
  'DELETE /api/v1/departments/:code': { success: 404, note: 'an unknown code' },
  'GET /api/v1/posts/:code': { success: 404, note: 'an unknown code' },
  'POST /api/v1/posts': { success: 400, note: 'an empty body: `validation_failed`, after the guard' },
  'PATCH /api/v1/posts/:code': { success: 400, note: 'an empty body: `validation_failed`, after the guard' },
  'DELETE /api/v1/posts/:code': { success: 404, note: 'an unknown code' },
  'GET /api/v1/responsibility/resolve': {
    success: 404,
    note: 'a point outside the city: `division.outside_city`',
  },
  'POST /api/v1/responsibility/rules': {
    success: 400,
    note: 'an empty body: `validation_failed`, after the guard',
  },
  'PATCH /api/v1/responsibility/rules/:ruleId': {
    success: 400,
    note: 'an empty body: `validation_failed`, after the guard',
  },
  'DELETE /api/v1/responsibility/rules/:ruleId': {
    success: 400,
    note: 'a rule id that is not a number: `validation_failed`',
  },
  'GET /api/v1/responsibility/versions/:version': { success: 404, note: 'an unknown version' },
  'POST /api/v1/cases': {
    success: 400,
    note: 'a point outside the (empty) city: `case.location_outside_city`',
  },
  'GET /api/v1/cases': {
    success: 200,
    ...CASE_READERS,
    note: 'with `case.report` alone (citizens), only your own reports',
  },
  'GET /api/v1/cases/:id': { success: 404, ...CASE_READERS, note: CASE_MISSING },
  'GET /api/v1/cases/:id/history': { success: 404, ...CASE_READERS, note: CASE_MISSING },
  'GET /api/v1/cases/:id/notifications': { success: 404, ...CASE_READERS, note: CASE_MISSING },
  'POST /api/v1/cases/:id/actions/:action': {
    success: 404,
    requires: "a role of the action's track and the action's permission",
    note: 'each action needs a role of its track (else 403 `case.track_violation`) and its permission (else 403 `forbidden`), both in the transition table (docs/case-workflow.md), checked before the case is read; then an unknown case: 404',
  },
  'GET /api/v1/notifications': {
    success: 200,
    ...CASE_READERS,
    note: 'with `case.report` alone, only the notices addressed to you by name',
  },
  'POST /api/v1/notifications/:id/read': { success: 404, ...CASE_READERS, note: 'an unknown notification' },
  'POST /api/v1/notifications/read-all': { success: 200, ...CASE_READERS },
  'POST /api/v1/webhooks': { success: 201 },
  'GET /api/v1/webhooks/:id': { success: 404, note: 'an unknown id' },
  'PATCH /api/v1/webhooks/:id': { success: 404, note: 'an unknown id' },
  'DELETE /api/v1/webhooks/:id': { success: 404, note: 'an unknown id' },
  'GET /api/v1/webhooks/:id/deliveries': { success: 404, note: 'an unknown id' },
  'POST /api/v1/stream/tokens': { success: 201, ...CASE_READERS },
  'GET /api/v1/stream': {
    success: 200,
    ...CASE_READERS,
    note: 'server-sent events of the cases you may read; a bearer token, or `?token=` from `POST /api/v1/stream/tokens`',
  },
  'POST /api/v1/devices': { success: 400, note: 'an empty body: `validation_failed`, after the guard' },
  'GET /api/v1/devices/:id': { success: 404, note: 'an unknown device' },
  'PATCH /api/v1/devices/:id': { success: 400, note: 'an empty body: `validation_failed`, after the guard' },
  'DELETE /api/v1/devices/:id': { success: 404, note: 'an unknown device' },
  'POST /api/v1/devices/:id/key': { success: 404, note: 'an unknown device' },
  'GET /api/v1/devices/:id/datastreams': { success: 404, note: 'an unknown device' },
  'GET /api/v1/datastreams/:id/observations': { success: 404, note: 'an unknown datastream' },
  'GET /api/v1/alerts/:id': { success: 404, note: 'an unknown alert: 404, as out of jurisdiction' },
  'POST /api/v1/alerts/:id/actions/acknowledge': { success: 404, note: 'an unknown alert' },
  'POST /api/v1/alerts/:id/actions/resolve': {
    success: 400,
    note: 'an empty body: `validation_failed`, after the guard',
  },
  'POST /api/v1/observations': {
    success: 400,
    note: 'an empty body: `validation_failed`; also a device key (`X-API-Key: ocd_…`)',
  },
  'POST /api/v1/citizen/reports': {
    success: 400,
    note: 'an empty report: `invalid_input` (staff: `citizen.cannot_report`); anonymous posting per the participation settings',
  },
  'GET /api/v1/citizen/reports/:ref': {
    success: 404,
    note: 'follow by case number (reporter) or follow token',
  },
  'POST /api/v1/citizen/reports/:ref/rating': {
    success: 404,
    note: 'an unknown report; its reporter, or with the follow token',
  },
  'GET /api/v1/public/media/:name': { success: 404 },
  'GET /api/v1/citizen/reports': { success: 200, ...CASE_READERS, note: 'your own reports' },
  'POST /api/v1/media': {
    success: 400,
    // MEDIA_UPLOAD_PERMISSIONS in src/participation/staff-media.ts.
    permissions: ['case.handle', 'case.verify'],
    deniedCode: 'media.forbidden',
    note: 'checked before the body; 400 without a multipart photo',
  },
  'GET /api/v1/media/:name': {
    success: 404,
    ...CASE_READERS,
    note: 'only through a case you may read that cites it',
  },
  'POST /ngsi-ld/v1/entities': { success: 400, note: 'an empty entity: BadRequestData' },
  'GET /ngsi-ld/v1/entities': {
    success: 400,
    note: 'a query without type, id, attrs, q or geo-query: BadRequestData',
  },
  'GET /ngsi-ld/v1/entities/:entityId': { success: 404, note: 'an unknown entity: ResourceNotFound' },
  'DELETE /ngsi-ld/v1/entities/:entityId': { success: 404, note: 'an unknown entity' },
  'POST /ngsi-ld/v1/entities/:entityId/attrs': { success: 404, note: 'an unknown entity' },
  'PATCH /ngsi-ld/v1/entities/:entityId/attrs': { success: 404, note: 'an unknown entity' },
  'PATCH /ngsi-ld/v1/entities/:entityId/attrs/:attrId': { success: 404, note: 'an unknown entity' },
  'DELETE /ngsi-ld/v1/entities/:entityId/attrs/:attrId': { success: 404, note: 'an unknown entity' },
  'POST /ngsi-ld/v1/entityOperations/create': { success: 400, note: 'a batch that is not an array' },
  'POST /ngsi-ld/v1/entityOperations/upsert': { success: 400, note: 'a batch that is not an array' },
  'POST /ngsi-ld/v1/entityOperations/update': { success: 400, note: 'a batch that is not an array' },
  'POST /ngsi-ld/v1/entityOperations/delete': { success: 400, note: 'a batch that is not an array' },
  'POST /ngsi-ld/v1/subscriptions': { success: 400, note: 'a body without "type": "Subscription"' },
  'GET /ngsi-ld/v1/subscriptions/:id': { success: 404, note: 'an unknown subscription' },
  'PATCH /ngsi-ld/v1/subscriptions/:id': { success: 404, note: 'an unknown subscription' },
  'DELETE /ngsi-ld/v1/subscriptions/:id': { success: 404, note: 'an unknown subscription' },
  'GET /ngsi-ld/v1/types/:type': { success: 404, note: 'an unknown type' },
  'GET /ngsi-ld/v1/attributes/:attr': { success: 404, note: 'an unknown attribute' },
  'POST /ngsi-ld/v1/temporal/entities': { success: 400, note: 'an empty entity' },
  'GET /ngsi-ld/v1/temporal/entities': { success: 400, note: 'a query without type, id, idPattern or attrs' },
  'GET /ngsi-ld/v1/temporal/entities/:entityId': { success: 404, note: 'an unknown entity' },
  'GET /api/v1/admin/backup': {
    success: 409,
    note: 'in memory: `backup.not_embedded`; on a DATA_DIR the archive (200), on PostgreSQL 409',
  },
  'POST /open311/v2/requests.json': {
    success: 400,
    note: 'GeoReport v2 error list: service_code is required',
  },
  'POST /open311/v2/requests.xml': { success: 400, note: 'GeoReport v2 error list (XML)' },
  'GET /open311/v2/services/:file': { success: 404, note: 'an unknown service code' },
  'GET /open311/v2/requests/:file': { success: 404, note: 'an unknown request id' },
  'GET /open311/v2/request/:file': { success: 404, note: 'an unknown request id' },
  'GET /open311/v2/tokens/:file': { success: 404, note: 'an unknown token' },
};

/**
 * The answers for a route. A path that differs only by a trailing slash (the NGSI-LD
 * collection paths, served with and without it) answers as the path without it.
 */
export function answersOf(route: { method: string; url: string }): RouteAnswers {
  return (
    ROUTE_ANSWERS[`${route.method} ${route.url}`] ??
    ROUTE_ANSWERS[`${route.method} ${route.url.replace(/(.)\/$/, '$1')}`] ?? { success: 200 }
  );
}

const ROLE_LABELS: Record<(typeof ROLES)[number], string> = {
  citizen: 'citizen (市民)',
  grid_worker: 'grid worker (网格员)',
  supervision_operator: 'supervision operator (监督员)',
  dispatcher: 'dispatcher (派遣员)',
  department_handler: 'department handler (处置人员)',
  department_leader: 'department leader (部门领导)',
  street_officer: 'street officer (街道干部)',
  city_leader: 'city leader (市领导)',
  auditor: 'auditor (审计员)',
  admin: 'admin (管理员)',
};

/** Renders docs/permissions.md. */
export function renderPermissionsDoc(routes: readonly DocumentedRoute[]): string {
  const perms = Object.keys(PERMISSIONS) as Permission[];
  const lines: string[] = [
    '# Permissions',
    '',
    '<!-- Generated from src/identity/permissions.ts and src/identity/permissions-doc.ts; do not edit by hand.',
    '     Regenerate: ONECITY_WRITE_DOCS=1 node scripts/run-tests.mjs src/identity/permissions-doc.test.ts -->',
    '',
    'Access is checked in the service layer on two axes: the **role** must grant the permission',
    "(this matrix), and the object must lie inside the caller's **jurisdiction**. Every check of",
    'a permission comes down to one function, `hasPermission` (src/identity/permissions.ts).',
    '',
    '- Anonymous callers get `401`; authenticated callers whose roles lack the permission get `403`.',
    "- Objects outside the caller's jurisdiction answer `404`, exactly like missing ones, so",
    '  existence does not leak.',
    '- Jurisdiction: a user holds division codes and department codes. Division codes are',
    '  hierarchical by prefix (`3301` city → `330102` district → `330102001` street → …), so a',
    "  division is inside the jurisdiction when its code starts with one of the user's codes.",
    `  Holders of a city-wide role (${CITY_WIDE_ROLES.map((r) => `\`${r}\``).join(', ')}) with no`,
    '  division codes see the whole city. Department staff see what concerns their departments.',
    "- Citizens' personal data (name, phone, e-mail, exact address) is masked (`138****1234`)",
    '  for every caller without `pii.read`.',
    '',
    '## API keys: scopes and roles',
    '',
    'API keys belong to service accounts. A key carries **scopes**: permissions, each of which',
    "its account's roles must grant when the key is issued. A request made with a key holds a",
    "permission only when **both** the account's roles grant it **and** the key's scopes include",
    'it; the scopes never add to the roles, the roles never widen the scopes. Everything else is',
    'as for the account: its jurisdiction (division and department codes) bounds what the key',
    "sees, and a role-based rule (an action's track) still needs the account's role. So:",
    '',
    '- A route or service that checks a permission the key lacks answers `403` `forbidden`',
    "  (`This API key's scopes do not include …`), whatever the account's roles.",
    '- Reading cases (lists, one case, its history and notices, the inbox, the live stream, staff',
    '  photos) needs `case.read` (everything inside the jurisdiction) or `case.report` (only the',
    '  cases the caller reported, and only the notices addressed to it by name).',
    "- A case action needs a role of its track (else `403` `case.track_violation`) and the action's",
    '  permission (else `403` `forbidden`): the transition table in docs/case-workflow.md lists',
    "  both. The action's permission also lets the caller see the case it acts on.",
    '- Revoking or letting a key expire ends it at once on this node (docs/identity.md).',
    '',
    '`src/identity/permission-matrix.test.ts` checks this on every route: a key holding one scope,',
    'for each permission in turn, on a service account holding every role, gets through exactly',
    'the routes that need that permission and `403` on the others.',
    '',
    '',
    '## Role × permission',
    '',
    `| permission | ${ROLES.join(' | ')} |`,
    `| --- | ${ROLES.map(() => ':-:').join(' | ')} |`,
  ];
  for (const p of perms)
    lines.push(
      `| \`${p}\` | ${ROLES.map((r) => (ROLE_PERMISSIONS[r].includes(p) ? '✓' : '')).join(' | ')} |`,
    );
  lines.push('', '## Permissions', '', '| permission | allows |', '| --- | --- |');
  for (const p of perms) lines.push(`| \`${p}\` | ${PERMISSIONS[p]} |`);
  lines.push('', '## Roles', '', '| role | permissions |', '| --- | --- |');
  for (const r of ROLES)
    lines.push(`| ${ROLE_LABELS[r]} | ${ROLE_PERMISSIONS[r].map((p) => `\`${p}\``).join(', ')} |`);
  lines.push(
    '',
    '## Routes',
    '',
    'Every route under `/api/v1`, `/open311/v2` and `/ngsi-ld/v1`. The access comes from the route',
    'itself (`requirePermission`, `requireAuthenticated`, `authenticatePublic` or `config:',
    'routeAccess(…)`), or for the live stream, which authenticates in its own pre-handler, from',
    '`SERVICE_CHECKED_ROUTES` (src/identity/permissions-doc.ts). Routes that let any authenticated',
    'caller through to a service that checks the permission itself list that permission under',
    '"requires". A route guard runs before schema validation, so anonymous and unpermitted callers',
    'get 401/403, not a 400 about their input; the service-checked routes still validate first.',
    '',
    '`src/identity/permission-matrix.test.ts` calls each route anonymously, as a user of every',
    'role and with a key of every scope, on PGlite and PostgreSQL, and checks these answers. Its',
    'requests are minimal (unknown ids, empty bodies), so "with it" is often a 404 or 400 that',
    "shows the caller got past the guard; complete requests are covered by each route's own tests.",
    'Open311 GeoReport v2 routes are public and answer in their own format (JSON or XML error',
    'lists); NGSI-LD answers its errors as `application/json` problem details with `type`',
    '`urn:onecity:problem:unauthenticated` (401) or `urn:onecity:problem:forbidden` (403).',
    '',
    '| route | requires | anonymous | without it | with it | note |',
    '| --- | --- | :-: | :-: | :-: | --- |',
  );
  for (const r of routes) {
    const a = answersOf(r);
    const requires =
      a.requires ??
      (a.permissions
        ? a.permissions.map((p) => `\`${p}\``).join(' or ')
        : r.access === 'public'
          ? 'nothing'
          : r.access === 'authenticated'
            ? 'a login or API key'
            : `\`${r.access}\``);
    const anon = String(a.anonymous ?? (r.access === 'public' ? a.success : 401));
    const without = a.deniedCode
      ? `403 \`${a.deniedCode}\``
      : a.permissions || a.requires
        ? '403'
        : r.access === 'public' || r.access === 'authenticated'
          ? '—'
          : '403';
    lines.push(
      `| \`${r.method} ${r.url}\` | ${requires} | ${anon} | ${without} | ${a.success} | ${a.note ?? ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
