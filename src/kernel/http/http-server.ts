import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TrustProxy } from '../config.ts';
import { installInputGuards } from './input-guards.ts';
import { answerError, type ErrorFormatter, installErrorHandling } from './problem-details.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export interface HttpServerOptions {
  logger: Logger;
  bodyLimitBytes: number;
  /** Whose `X-Forwarded-For` sets `request.ip` (`TRUST_PROXY`); none when absent. */
  trustProxy?: TrustProxy;
  /** Deepest nesting of arrays and objects a JSON body may have. */
  bodyMaxDepth: number;
}

/**
 * Fastify's form of `TRUST_PROXY`. A hop count becomes "trust the nearest n hops" (what
 * Express and proxy-addr mean by it): Fastify 5 no longer trusts any hop for a bare number.
 */
function fastifyTrustProxy(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  if (typeof trust === 'boolean') return trust;
  return [...trust];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A Fastify server with OneCity's conventions: request ids (taken from a well-formed
 * `x-request-id` or generated, echoed back), browser security headers on every answer,
 * problem+json errors, a registry of per-prefix error formats for the standard interfaces,
 * and guards against input the storage cannot hold (`input-guards.ts`).
 */
export function createHttpServer(options: HttpServerOptions): {
  app: FastifyInstance;
  addErrorFormatter(f: ErrorFormatter): void;
} {
  const formatters: ErrorFormatter[] = [];
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // strictNumbers: 1e309 (Infinity) and NaN are not numbers.
    ajv: {
      customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false, strictNumbers: true },
    },
    // A malformed percent-encoding or an over-long path parameter is answered like any other
    // error; no onRequest hook has run for it.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return answerError(error, request, reply, formatters);
    },
  });
  // While closing, ask clients to drop keep-alive connections so draining ends promptly.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  registerSecurityHeaders(app as unknown as FastifyInstance);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  installErrorHandling(app as unknown as FastifyInstance, () => formatters);
  installInputGuards(app as unknown as FastifyInstance, { maxJsonDepth: options.bodyMaxDepth });
  return { app: app as unknown as FastifyInstance, addErrorFormatter: (f) => formatters.push(f) };
}
