import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { type Kernel, UnauthenticatedError } from '../kernel/index.ts';
import type { Actor } from './actor.ts';
import { apiKeyExpired, resolveApiKey } from './api-keys.ts';
import { ANONYMOUS, authorize, type Permission, type Principal } from './permissions.ts';
import { type CachedPrincipal, principalCacheOf } from './principal-cache.ts';
import { resolveSession, secretHash, tokenExpired } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`: who is calling (anonymous without credentials). */
    principal: Principal;
    /** The session behind a bearer token, for logout. */
    sessionId?: string;
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
 * Resolves a credential through the kernel's principal cache: a hit still checks the
 * session's or key's expiry against the platform clock; a miss reads the database and
 * stores the result unless an invalidation happened meanwhile.
 */
async function resolveCached(
  kernel: Kernel,
  kind: 'session' | 'key',
  secret: string,
): Promise<CachedPrincipal> {
  const { db, clock } = kernel;
  const hash = secretHash(secret);
  const now = clock.now();
  const cache = principalCacheOf(kernel);
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
    const resolved = await resolveCached(kernel, 'session', match[1]);
    request.sessionId = resolved.sessionId;
    request.principal = copyOf(resolved.principal);
    return;
  }
  const key = apiKeyOf(request);
  request.principal = key ? copyOf((await resolveCached(kernel, 'key', key)).principal) : ANONYMOUS;
};

/** A preHandler that authenticates, then requires a permission (401 anonymous, 403 otherwise). */
export function requirePermission(permission: Permission): preHandlerAsyncHookHandler {
  return async function requirePermissionHandler(this: unknown, request, reply) {
    await authenticate.call(request.server, request, reply);
    authorize(request.principal, permission);
  };
}

/** The actor of a request: its principal, the platform clock's now, its id and the bus. */
export function actorOf(request: FastifyRequest): Actor {
  const { clock, bus } = request.server.kernel;
  return { principal: request.principal ?? ANONYMOUS, now: clock.now(), requestId: String(request.id), bus };
}
