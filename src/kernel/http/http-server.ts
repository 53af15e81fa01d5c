import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type ErrorFormatter, installErrorHandling } from './problem-details.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export interface HttpServerOptions {
  logger: Logger;
  bodyLimitBytes: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A Fastify server with OneCity's conventions: request ids (taken from a well-formed
 * `x-request-id` or generated, echoed back), browser security headers on every answer,
 * problem+json errors, and a registry of per-prefix error formats for the standard interfaces.
 */
export function createHttpServer(options: HttpServerOptions): {
  app: FastifyInstance;
  addErrorFormatter(f: ErrorFormatter): void;
} {
  const formatters: ErrorFormatter[] = [];
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
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
  return { app: app as unknown as FastifyInstance, addErrorFormatter: (f) => formatters.push(f) };
}
