import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, statusOfKind } from '../errors.ts';

/** RFC 9457 problem document as OneCity sends it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The `type` URI of a code; the catalogue in docs/errors.md explains each. */
export const problemType = (code: string) => `urn:onecity:problem:${code}`;

/** Builds a problem document. */
export function problem(
  status: number,
  code: string,
  detail: string | undefined,
  request: FastifyRequest,
  extensions: Record<string, unknown> = {},
): ProblemDocument {
  // Extensions first: a detail named like a standard member (code, status…) never overrides it.
  return {
    ...extensions,
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    instance: request.url.split('?')[0],
    code,
    requestId: String(request.id),
  };
}

/** Sends a problem document with the right content type. */
export function sendProblem(reply: FastifyReply, doc: ProblemDocument) {
  return reply.status(doc.status).type('application/problem+json; charset=utf-8').send(doc);
}

/**
 * A translator for one URL prefix whose interface has its own error format
 * (Open311, NGSI-LD). The first whose prefix matches wins; problem+json otherwise.
 */
export type ErrorFormatter = {
  prefix: string;
  format(error: unknown, request: FastifyRequest, reply: FastifyReply): unknown;
};

/**
 * The one error translator: domain errors → their status and stable code; Fastify's own
 * errors (validation, body size, content type) → 4xx with a code; anything else → 500 with
 * the request id and no internals.
 */
export function installErrorHandling(app: FastifyInstance, formatters: () => readonly ErrorFormatter[]) {
  app.setErrorHandler((error: FastifyError | DomainError | Error, request, reply) =>
    answerError(error, request, reply, formatters()),
  );

  app.setNotFoundHandler((request, reply) => {
    const custom = formatters().find((f) => request.url.startsWith(f.prefix));
    const err = new DomainError(
      'not_found',
      'route.not_found',
      `No route ${request.method} ${request.url.split('?')[0]}`,
    );
    if (custom) return custom.format(err, request, reply);
    return sendProblem(reply, toProblem(err, request, reply));
  });
}

/** Answers an error in the format of the interface its URL belongs to. */
export function answerError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  formatters: readonly ErrorFormatter[],
) {
  const custom = formatters.find((f) => request.url.startsWith(f.prefix));
  if (custom) return custom.format(error, request, reply);
  return sendProblem(reply, toProblem(error, request, reply));
}

/** Maps any thrown value to a problem document (logging server faults). */
export function toProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): ProblemDocument {
  if (error instanceof DomainError) {
    const status = statusOfKind[error.kind];
    const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retry) reply.header('retry-after', String(Math.ceil(retry)));
    return problem(status, error.code, error.message, request, error.details ?? {});
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    return problem(400, 'validation_failed', fe.message, request, {
      errors: fe.validation.map((v) => ({
        in: fe.validationContext ?? 'body',
        path: v.instancePath || '/',
        message: v.message,
        ...(v.params ? { params: v.params } : {}),
      })),
    });
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code =
      fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'payload_too_large'
        : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported_media_type'
          : fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
              fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
              fe instanceof SyntaxError
            ? 'malformed_body'
            : 'bad_request';
    return problem(status, code, fe.message, request);
  }
  request.log.error({ err: error }, 'unhandled error');
  return problem(
    500,
    'internal_error',
    'An unexpected error occurred. Quote the request id when reporting it.',
    request,
  );
}
