/**
 * Errors under `/open311/` in the GeoReport v2 format: `[{code, description}]` in JSON,
 * `<errors><error><code/><description/></error></errors>` in XML, with the HTTP status
 * the specification asks for (400 bad or missing field, 403 bad or missing api_key, 404
 * unknown service, request, token or jurisdiction; 413, 415, 429 with Retry-After).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorFormatter, statusOfKind } from '../kernel/index.ts';
import { formatOfUrl, type Open311Error, sendOpen311 } from './open311-documents.ts';

/** Status and description of any thrown value. */
export function open311ErrorOf(error: unknown, request: FastifyRequest, reply: FastifyReply): Open311Error {
  if (error instanceof DomainError) {
    // Open311 has no 401: a missing or bad key is 403.
    const status = error.kind === 'unauthenticated' ? 403 : statusOfKind[error.kind];
    const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retry) reply.header('retry-after', String(Math.ceil(retry)));
    return { code: status, description: error.message };
  }
  const fe = error as FastifyError;
  if (fe.validation) return { code: 400, description: fe.message };
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const description =
      fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'The request body is too large.'
        : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Post application/x-www-form-urlencoded (or JSON).'
          : fe.message;
    return { code: status, description };
  }
  request.log.error({ err: error }, 'open311: unhandled error');
  return { code: 500, description: `An unexpected error occurred (request id ${request.id}).` };
}

/** The formatter the kernel's error handler uses for `/open311/`. */
export const open311ErrorFormatter: ErrorFormatter = {
  prefix: '/open311/',
  format(error, request, reply) {
    const e = open311ErrorOf(error, request, reply);
    return sendOpen311(reply, 'errors', formatOfUrl(request.url), [e], e.code);
  },
};
