/**
 * The per-node request rate limit (`RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_SERVICE_PER_MINUTE`):
 * each signed-in user, service account or device, and each address for anonymous callers,
 * gets so many requests a minute on each node; beyond, 429 with Retry-After in the
 * interface's error format.
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Kernel, TooManyRequestsError } from '../kernel/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * A machine caller that is not a principal (a datahub device key: `device:<id>`), set by
     * its own authenticator; the rate limit counts the request against it like a service account.
     */
    rateLimitSubject?: string;
  }
}

/** Keys kept per node at most; the least recently seen caller is forgotten first. */
const TRACKED_CALLERS = 20_000;

/** Who a request counts against: its principal or device once authenticated, its address otherwise. */
export function rateLimitKeyOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal && principal.kind !== 'anonymous') return `${principal.kind}:${principal.id}`;
  if (request.rateLimitSubject) return request.rateLimitSubject;
  // IPv6 clients count by /64, the block one subscriber usually holds.
  return `address:${fastifyRateLimit.normalizeIP(request.ip)}`;
}

const isMachine = (key: string) => key.startsWith('service:') || key.startsWith('device:');

/**
 * Registers the limit for every route registered after it (identity is the first capability,
 * so all of them; health and OpenAPI routes come before and are never limited). It runs as
 * the routes' last preHandler, after their authentication, so a caller with credentials is
 * counted by principal wherever it calls from. With both settings 0 nothing is registered.
 */
export async function registerRequestRateLimit(app: FastifyInstance, kernel: Kernel): Promise<void> {
  const { rateLimitPerMinute, rateLimitServicePerMinute } = kernel.config;
  if (rateLimitPerMinute === 0 && rateLimitServicePerMinute === 0) return;
  const limitOf = (key: string) => (isMachine(key) ? rateLimitServicePerMinute : rateLimitPerMinute);
  await app.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    cache: TRACKED_CALLERS,
    keyGenerator: rateLimitKeyOf,
    max: (_request, key) => limitOf(key),
    allowList: (_request, key) => limitOf(key) === 0,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new TooManyRequestsError(
        `More than ${context.max} requests a minute; try again in ${seconds} s.`,
        seconds,
        'too_many_requests',
      );
    },
  });
}
