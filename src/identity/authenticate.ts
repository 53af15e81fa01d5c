import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { type Kernel, UnauthenticatedError } from '../kernel/index.ts';
import type { Actor } from './actor.ts';
import { apiKeyExpired, resolveApiKey } from './api-keys.ts';
import { ANONYMOUS, authorize, type Permission, type Principal } from './permissions.ts';
import type { CachedPrincipal, PrincipalCache } from './principal-cache.ts';
import { resolveSession, secretHash, tokenExpired } from './sessions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The access the route requires (set by `routeAccess`, or from its guard). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set by `authenticate`: who is calling (anonymous without credentials). */
    principal: Principal;
    /** The session behind a bearer token, for logout. */
    sessionId?: string;
    /** The API key a service called with (what revoking it must reach, such as its live streams). */
    apiKeyId?: string;
  }
}

function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  // Open311 GeoReport v2 posts `api_key` as a form field. It is deliberately not read from
  // the query string: request URLs are logged, and a key there would end up in the logs.
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.api_key === 'string' && body.api_key)
    return body.api_key;
  return undefined;
}

/** A fresh copy of a cached principal, so no request can alter what the next one gets. */
function copyOf(p: Principal): Principal {
  return {
    ...p,
    roles: [...p.roles],
    departmentCodes: [...p.departmentCodes],
    divisionCodes: [...p.divisionCodes],
    ...(p.scopes ? { scopes: [...p.scopes] } : {}),
  };
}

/**
 * Resolves a credential through the app's principal cache (identity's, when the app has it): a hit still checks the
 * session's or key's expiry against the platform clock; a miss reads the database and
 * stores the result unless an invalidation happened meanwhile.
 */
async function resolveCached(
  kernel: Kernel,
  cache: PrincipalCache | undefined,
  kind: 'session' | 'key',
  secret: string,
): Promise<CachedPrincipal> {
  const { db, clock } = kernel;
  const hash = secretHash(secret);
  const now = clock.now();
  const slot = `${kind}:${hash}`;
  const hit = cache?.get(slot);
  if (hit) {
    if (hit.expiresAtMs === null || hit.expiresAtMs > now.getTime()) return hit;
    cache!.delete(slot);
    throw kind === 'session' ? tokenExpired() : apiKeyExpired();
  }
  const generation = cache?.generation ?? 0;
  const resolved = await (kind === 'session' ? resolveSession(db, hash, now) : resolveApiKey(db, hash, now));
  cache?.set(slot, resolved, generation);
  return resolved;
}

/**
 * Fastify preHandler: resolves a bearer token or an API key into `request.principal`.
 * Without credentials the caller is anonymous; bad, expired or revoked credentials answer
 * 401. Resolutions are cached briefly (docs/identity.md). Idempotent, so routes may list it
 * next to `requirePermission`.
 */
export const authenticate: preHandlerAsyncHookHandler = async function authenticate(
  request: FastifyRequest,
  _reply: FastifyReply,
) {
  if (request.principal && request.principal !== ANONYMOUS) return;
  const kernel = request.server.kernel;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) throw new UnauthenticatedError('Use "Authorization: Bearer <token>".', 'auth.bad_scheme');
    const resolved = await resolveCached(kernel, request.server.principalCache, 'session', match[1]);
    request.sessionId = resolved.sessionId;
    request.principal = copyOf(resolved.principal);
    return;
  }
  const key = apiKeyOf(request);
  if (!key) {
    request.principal = ANONYMOUS;
    return;
  }
  const resolved = await resolveCached(kernel, request.server.principalCache, 'key', key);
  request.apiKeyId = resolved.apiKeyId;
  request.principal = copyOf(resolved.principal);
};

/** Who may call a route: everyone, any authenticated caller, or holders of a permission. */
export type RouteAccess = 'public' | 'authenticated' | Permission;

const ACCESS = Symbol.for('onecity.routeAccess');
type Tagged = { [ACCESS]?: RouteAccess };

/** Marks a preHandler with the access it enforces, so the route's access can be read back. */
function tagged<T extends object>(handler: T, access: RouteAccess): T {
  return Object.assign(handler, { [ACCESS]: access });
}

/** A preHandler that authenticates, then requires a permission (401 anonymous, 403 otherwise). */
export function requirePermission(permission: Permission): preHandlerAsyncHookHandler {
  return tagged(
    async function requirePermissionHandler(this: unknown, request, reply) {
      await authenticate.call(request.server, request, reply);
      authorize(request.principal, permission);
    } as preHandlerAsyncHookHandler,
    permission,
  );
}

/** A preHandler that authenticates and refuses anonymous callers (401); any role will do. */
export const requireAuthenticated: preHandlerAsyncHookHandler = tagged(async function requireAuthenticated(
  request: FastifyRequest,
  reply: FastifyReply,
) {
  await authenticate.call(request.server, request, reply);
  if (request.principal.kind === 'anonymous') throw new UnauthenticatedError();
}, 'authenticated');

/** `authenticate` for a public route: anyone may call it; credentials, when sent, are resolved. */
export const authenticatePublic: preHandlerAsyncHookHandler = tagged(async function authenticatePublic(
  request: FastifyRequest,
  reply: FastifyReply,
) {
  await authenticate.call(request.server, request, reply);
}, 'public');

/**
 * Route `config` declaring the access a route enforces itself (in its service or its own
 * preHandler): `config: routeAccess('public')`. Routes guarded by `requirePermission` or
 * `requireAuthenticated` need no declaration.
 */
export function routeAccess(access: RouteAccess): { access: RouteAccess } {
  return { access };
}

/**
 * The access a route declares: its `config.access`, else the tag of a guarding preHandler.
 * Undefined when the route declares nothing (docs/permissions.md then lists it from the
 * reviewed table in permissions-doc.ts, or a test fails).
 */
export function accessOfRoute(route: { config?: unknown; preHandler?: unknown }): RouteAccess | undefined {
  const declared = (route.config as { access?: RouteAccess } | undefined)?.access;
  if (declared) return declared;
  for (const h of [route.preHandler].flat()) {
    const access = (h as Tagged | undefined)?.[ACCESS];
    if (access) return access;
  }
  return undefined;
}

/** The actor of a request: its principal, the platform clock's now, its id, the bus and the app's cache. */
export function actorOf(request: FastifyRequest): Actor {
  const { clock, bus } = request.server.kernel;
  return {
    principal: request.principal ?? ANONYMOUS,
    now: clock.now(),
    requestId: String(request.id),
    bus,
    principalCache: request.server.principalCache,
  };
}

/**
 * An onRoute hook: runs a route's access guard before schema validation (so an anonymous or
 * unpermitted caller gets 401/403, not a 400 that tells them how to shape the request) and
 * records the access in `config.access` for `request.routeOptions.config`.
 */
export function guardBeforeValidation(route: RouteOptions): void {
  const access = accessOfRoute(route);
  if (access) route.config = { ...((route.config as object | undefined) ?? {}), access } as never;
  const pre = [route.preHandler].flat().filter(Boolean) as object[];
  const guards = pre.filter((h) => (h as Tagged)[ACCESS]);
  if (guards.length === 0) return;
  route.preHandler = pre.filter((h) => !(h as Tagged)[ACCESS]) as never;
  route.preValidation = [...guards, ...[route.preValidation].flat().filter(Boolean)] as never;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's principal cache, decorated by the identity capability's instance. */
    principalCache?: PrincipalCache;
  }
}
