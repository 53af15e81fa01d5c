import { ForbiddenError, UnauthenticatedError } from '../kernel/index.ts';

/** The roles of the platform (docs/design.md#two-tracks: supervision and command tracks, departments, leaders). */
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

/** Who is calling: a person, a service account (API key), or nobody. */
export interface Principal {
  kind: 'user' | 'service' | 'anonymous';
  id: string;
  username: string;
  roles: Role[];
  departmentCodes: string[];
  /** Empty plus a city-wide role means the whole city. */
  divisionCodes: string[];
  /** For API keys: the permissions the key was issued for (a subset of what its roles allow). */
  scopes?: Permission[];
}

/** The caller without credentials. */
export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  id: 'anonymous',
  username: 'anonymous',
  roles: [],
  departmentCodes: [],
  divisionCodes: [],
}) as Principal;

/**
 * Every permission with what it lets a caller do. The matrix below grants them to roles;
 * `docs/permissions.md` is generated from both (a test fails when it is out of date).
 */
export const PERMISSIONS = {
  'case.report': 'Report a problem (citizen report, grid worker discovery)',
  'case.read': 'Read cases inside the jurisdiction',
  'case.file': 'File (立案) a reported problem as a case — supervision track',
  'case.verify': 'Verify on site that a problem exists or was fixed — supervision track',
  'case.dispatch': 'Dispatch a case to departments — command track',
  'case.handle': 'Accept, work on and report back a dispatched case — departments',
  'case.close': 'Close (结案) a verified case — supervision track',
  'case.evaluate': 'Evaluate how a case was handled',
  'case.whistle': 'Blow the street whistle to summon departments (街乡吹哨)',
  'case.escalate': 'Escalate a case up the hierarchy',
  'indicator.read': 'Read indicators, rankings and reports',
  'org.read': 'Read divisions, departments and the responsibility list',
  'org.write': 'Change divisions, departments and the responsibility list',
  'device.read': 'Read devices and observations',
  'device.write': 'Register and change devices',
  'observation.ingest': 'Send observations (devices and integrations)',
  'alert.read': 'Read sensor alerts inside the jurisdiction',
  'alert.manage': 'Acknowledge and resolve sensor alerts',
  'user.read': 'Read user accounts inside the jurisdiction',
  'user.manage': 'Create, change, disable users and reset passwords',
  'apikey.manage': 'Issue, list and revoke API keys of service accounts',
  'webhook.manage': 'Subscribe URLs to case events and read their delivery logs',
  'audit.read': 'Read the audit log and its head hash',
  'audit.verify': 'Verify the audit chain',
  'backup.create': 'Download a live backup of the embedded database and the uploads',
  'metrics.read': 'Scrape the Prometheus metrics (`/metrics`)',
  'pii.read': "See citizens' personal data (name, phone, e-mail, address) unmasked",
} as const;
export type Permission = keyof typeof PERMISSIONS;

const STAFF_READ: Permission[] = ['case.read', 'org.read', 'indicator.read', 'device.read'];

/** Role × permission: the data behind `authorize` and docs/permissions.md. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  citizen: ['case.report', 'case.evaluate'],
  grid_worker: ['case.report', 'case.read', 'case.verify', 'org.read', 'device.read'],
  supervision_operator: [
    ...STAFF_READ,
    'case.report',
    'case.file',
    'case.verify',
    'case.close',
    'case.evaluate',
    'pii.read',
    'alert.read',
  ],
  dispatcher: [...STAFF_READ, 'case.dispatch', 'case.escalate', 'pii.read', 'alert.read', 'alert.manage'],
  department_handler: ['case.read', 'case.handle', 'org.read', 'device.read', 'alert.read'],
  department_leader: [...STAFF_READ, 'case.handle', 'case.escalate', 'user.read', 'alert.read'],
  street_officer: [...STAFF_READ, 'case.whistle', 'case.escalate', 'user.read'],
  city_leader: [...STAFF_READ, 'case.escalate', 'user.read', 'alert.read'],
  auditor: [...STAFF_READ, 'user.read', 'audit.read', 'audit.verify', 'metrics.read'],
  admin: [
    ...STAFF_READ,
    'org.write',
    'device.write',
    'observation.ingest',
    'alert.read',
    'alert.manage',
    'user.read',
    'user.manage',
    'apikey.manage',
    'webhook.manage',
    'audit.read',
    'audit.verify',
    'backup.create',
    'metrics.read',
    'pii.read',
  ],
});

/** Roles whose holders with no division codes see the whole city. */
export const CITY_WIDE_ROLES: readonly Role[] = [
  'city_leader',
  'dispatcher',
  'supervision_operator',
  'auditor',
  'admin',
];

/**
 * True when one of the principal's roles grants the permission and, for an API key, the
 * key's scopes include it: a key can do only what both its account's roles and its scopes
 * allow. Every permission check of the platform comes down to this function.
 */
export function hasPermission(principal: Principal, permission: Permission): boolean {
  if (principal.scopes && !principal.scopes.includes(permission)) return false;
  return principal.roles.some((role) => ROLE_PERMISSIONS[role]?.includes(permission));
}

/**
 * Throws Unauthenticated for anonymous callers and Forbidden (`forbidden`) when the roles,
 * or an API key's scopes, do not grant the permission.
 */
export function authorize(principal: Principal, permission: Permission): void {
  if (hasPermission(principal, permission)) return;
  throw denied(principal, [permission]);
}

/**
 * Returns the first of `permissions` the principal holds (services that serve holders of
 * either of two permissions differently); throws as `authorize` when it holds none.
 */
export function authorizeAny<P extends Permission>(principal: Principal, permissions: readonly P[]): P {
  const held = permissions.find((p) => hasPermission(principal, p));
  if (held) return held;
  throw denied(principal, permissions);
}

function denied(principal: Principal, permissions: readonly Permission[]): Error {
  if (principal.kind === 'anonymous') return new UnauthenticatedError();
  const wanted = permissions.join(' or ');
  // The roles grant it but the key was not issued for it: say so, the fix is another key.
  const byScope = permissions.some((p) => hasPermission({ ...principal, scopes: undefined }, p));
  const message = byScope
    ? `This API key's scopes do not include ${wanted}.`
    : `Your roles do not allow ${wanted}.`;
  return new ForbiddenError(
    message,
    'forbidden',
    permissions.length === 1 ? { permission: permissions[0] } : { permissions },
  );
}

/** Every permission the principal's roles grant. */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  const set = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role] ?? []) set.add(p);
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => set.has(p));
}
