import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { UnauthenticatedError } from '../kernel/index.ts';
import type { Actor } from './actor.ts';
import { principalForApiKey } from './api-keys.ts';
import { ANONYMOUS, authorize, type Permission, type Principal } from './permissions.ts';
import { principalForToken } from './sessions.ts';

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

/**
 * Fastify preHandler: resolves a bearer token or an API key into `request.principal`.
 * Without credentials the caller is anonymous; bad, expired or revoked credentials answer
 * 401. Idempotent, so routes may list it next to `requirePermission`.
 */
export const authenticate: preHandlerAsyncHookHandler = async function authenticate(
  request: FastifyRequest,
  _reply: FastifyReply,
) {
  if (request.principal && request.principal !== ANONYMOUS) return;
  const { db, clock } = request.server.kernel;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) throw new UnauthenticatedError('Use "Authorization: Bearer <token>".', 'auth.bad_scheme');
    const principal = await principalForToken(db, match[1], clock.now());
    request.sessionId = principal.sessionId;
    const { sessionId: _s, ...rest } = principal;
    request.principal = rest;
    return;
  }
  const key = apiKeyOf(request);
  request.principal = key ? await principalForApiKey(db, key, clock.now()) : ANONYMOUS;
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
