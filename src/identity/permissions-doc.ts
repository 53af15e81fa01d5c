/**
 * The access rules as data, and `docs/permissions.md` rendered from them. A test fails
 * when the document is out of date; regenerate it with
 * `ONECITY_WRITE_DOCS=1 node scripts/run-tests.mjs src/identity/permissions-doc.test.ts`.
 */
import { CITY_WIDE_ROLES, PERMISSIONS, type Permission, ROLE_PERMISSIONS, ROLES } from './permissions.ts';

/** Who may call a route: everyone, any authenticated caller, or holders of a permission. */
export type RouteAccess = 'public' | 'authenticated' | Permission;

export interface ProtectedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  access: RouteAccess;
  /** What a caller in scope gets. */
  success: number;
}

/** The routes of the identity and audit capabilities with the access each requires. */
export const PROTECTED_ROUTES: readonly ProtectedRoute[] = [
  { method: 'POST', url: '/api/v1/auth/login', access: 'public', success: 200 },
  { method: 'GET', url: '/api/v1/auth/me', access: 'authenticated', success: 200 },
  { method: 'GET', url: '/api/v1/users', access: 'user.read', success: 200 },
  { method: 'POST', url: '/api/v1/users', access: 'user.manage', success: 201 },
  { method: 'GET', url: '/api/v1/users/:id', access: 'user.read', success: 200 },
  { method: 'PATCH', url: '/api/v1/users/:id', access: 'user.manage', success: 200 },
  { method: 'POST', url: '/api/v1/users/:id/password', access: 'user.manage', success: 204 },
  { method: 'DELETE', url: '/api/v1/users/:id/sessions', access: 'user.manage', success: 200 },
  { method: 'POST', url: '/api/v1/api-keys', access: 'apikey.manage', success: 201 },
  { method: 'GET', url: '/api/v1/api-keys', access: 'apikey.manage', success: 200 },
  { method: 'DELETE', url: '/api/v1/api-keys/:id', access: 'apikey.manage', success: 200 },
  { method: 'GET', url: '/api/v1/audit', access: 'audit.read', success: 200 },
  { method: 'GET', url: '/api/v1/audit/head', access: 'audit.read', success: 200 },
  { method: 'POST', url: '/api/v1/audit/verify', access: 'audit.verify', success: 200 },
  { method: 'POST', url: '/api/v1/auth/logout', access: 'authenticated', success: 204 },
];

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
export function renderPermissionsDoc(): string {
  const perms = Object.keys(PERMISSIONS) as Permission[];
  const lines: string[] = [
    '# Permissions',
    '',
    '<!-- Generated from src/identity/permissions.ts and src/identity/permissions-doc.ts; do not edit by hand.',
    '     Regenerate: ONECITY_WRITE_DOCS=1 node scripts/run-tests.mjs src/identity/permissions-doc.test.ts -->',
    '',
    'Access is checked in the service layer on two axes: the **role** must grant the permission',
    "(this matrix), and the object must lie inside the caller's **jurisdiction**.",
    '',
    '- Anonymous callers get `401`; authenticated callers whose roles lack the permission get `403`.',
    "- Objects outside the caller's jurisdiction answer `404`, exactly like missing ones, so",
    '  existence does not leak.',
    '- Jurisdiction: a user holds division codes and department codes. Division codes are',
    '  hierarchical by prefix (`3301` city → `330102` district → `330102001` street → …), so a',
    "  division is inside the jurisdiction when its code starts with one of the user's codes.",
    `  Holders of a city-wide role (${CITY_WIDE_ROLES.map((r) => `\`${r}\``).join(', ')}) with no`,
    '  division codes see the whole city. Department staff see what concerns their departments.',
    '- API keys belong to service accounts; a key carries scopes (a subset of the permissions',
    "  its account's roles grant) and can do only what both allow.",
    "- Citizens' personal data (name, phone, e-mail, exact address) is masked (`138****1234`)",
    '  for every caller without `pii.read`.',
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
    '## Routes of the identity and audit capabilities',
    '',
    'Checked by `src/identity/permission-matrix.test.ts`, which calls each route as every role',
    'and as anonymous.',
    '',
    '| route | requires | anonymous | without the permission | with it |',
    '| --- | --- | :-: | :-: | :-: |',
  );
  for (const r of PROTECTED_ROUTES) {
    const requires =
      r.access === 'public'
        ? 'nothing'
        : r.access === 'authenticated'
          ? 'a login or API key'
          : `\`${r.access}\``;
    const anon = r.access === 'public' ? String(r.success) : '401';
    const without = r.access === 'public' || r.access === 'authenticated' ? '—' : '403';
    lines.push(`| \`${r.method} ${r.url}\` | ${requires} | ${anon} | ${without} | ${r.success} |`);
  }
  return `${lines.join('\n')}\n`;
}
