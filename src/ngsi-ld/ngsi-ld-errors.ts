/**
 * NGSI-LD errors (ETSI GS CIM 009 §5.5.2, Table 5.5.2-1): ProblemDetails whose `type` is one
 * of the specification's error URIs, served as `application/json`. The formatter also
 * translates the kernel's domain errors and Fastify's own errors under `/ngsi-ld/`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorFormatter, type ErrorKind, statusOfKind } from '../kernel/index.ts';

/** The error types of the specification this broker uses. */
export const NGSI_LD_ERRORS = {
  InvalidRequest: 400,
  BadRequestData: 400,
  AlreadyExists: 409,
  OperationNotSupported: 422,
  ResourceNotFound: 404,
  InternalError: 500,
  TooManyResults: 403,
  TooComplexQuery: 403,
  LdContextNotAvailable: 503,
  NoMultiTenantSupport: 501,
  NonexistentTenant: 404,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
} as const;
export type NgsiLdErrorType = keyof typeof NGSI_LD_ERRORS;

const ERROR_BASE = 'https://uri.etsi.org/ngsi-ld/errors/';

const KIND_OF_TYPE: Record<NgsiLdErrorType, ErrorKind> = {
  InvalidRequest: 'invalid_input',
  BadRequestData: 'invalid_input',
  AlreadyExists: 'conflict',
  OperationNotSupported: 'invalid_input',
  ResourceNotFound: 'not_found',
  InternalError: 'unavailable',
  TooManyResults: 'forbidden',
  TooComplexQuery: 'forbidden',
  LdContextNotAvailable: 'unavailable',
  NoMultiTenantSupport: 'invalid_input',
  NonexistentTenant: 'not_found',
  NotAcceptable: 'invalid_input',
  UnsupportedMediaType: 'unsupported_media_type',
};

const TITLES: Record<NgsiLdErrorType, string> = {
  InvalidRequest: 'Invalid request',
  BadRequestData: 'Bad request data',
  AlreadyExists: 'Already exists',
  OperationNotSupported: 'Operation not supported',
  ResourceNotFound: 'Resource not found',
  InternalError: 'Internal error',
  TooManyResults: 'Too many results',
  TooComplexQuery: 'Too complex query',
  LdContextNotAvailable: 'LD context not available',
  NoMultiTenantSupport: 'No multi-tenant support',
  NonexistentTenant: 'Nonexistent tenant',
  NotAcceptable: 'Not acceptable',
  UnsupportedMediaType: 'Unsupported media type',
};

/** An NGSI-LD error: the services throw it, the formatter writes its ProblemDetails. */
export class NgsiLdError extends DomainError {
  readonly ngsiType: NgsiLdErrorType;
  readonly status: number;
  constructor(type: NgsiLdErrorType, detail: string, status?: number) {
    super(KIND_OF_TYPE[type], `ngsi-ld.${type}`, detail);
    this.ngsiType = type;
    this.status = status ?? NGSI_LD_ERRORS[type];
  }
}

/** The ProblemDetails body of an NGSI-LD error. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

/** Builds a ProblemDetails document. */
export function problemDetails(type: NgsiLdErrorType, detail: string, status?: number): ProblemDetails {
  return { type: ERROR_BASE + type, title: TITLES[type], status: status ?? NGSI_LD_ERRORS[type], detail };
}

/** Maps any thrown value to ProblemDetails (used by the formatter and by batch results). */
export function toProblemDetails(error: unknown): ProblemDetails {
  if (error instanceof NgsiLdError) return problemDetails(error.ngsiType, error.message, error.status);
  if (error instanceof DomainError) {
    const status = statusOfKind[error.kind];
    const type: NgsiLdErrorType | null =
      error.kind === 'invalid_input'
        ? 'BadRequestData'
        : error.kind === 'not_found'
          ? 'ResourceNotFound'
          : error.kind === 'conflict'
            ? 'AlreadyExists'
            : error.kind === 'unsupported_media_type'
              ? 'UnsupportedMediaType'
              : null;
    if (type) return problemDetails(type, error.message, status);
    // Authentication and authorization are outside NGSI-LD: keep OneCity's stable codes.
    return {
      type: `urn:onecity:problem:${error.code}`,
      title:
        error.kind === 'unauthenticated'
          ? 'Unauthorized'
          : error.kind === 'forbidden'
            ? 'Forbidden'
            : 'Error',
      status,
      detail: error.message,
    };
  }
  const fe = error as FastifyError;
  if (fe?.validation) return problemDetails('BadRequestData', fe.message);
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 415 || fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return problemDetails('UnsupportedMediaType', fe.message, 415);
  if (status === 413) return problemDetails('BadRequestData', fe.message, 413);
  if (
    fe?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    fe instanceof SyntaxError
  )
    return problemDetails('InvalidRequest', `The body is not valid JSON: ${fe.message}`);
  if (status >= 400 && status < 500) return problemDetails('BadRequestData', fe.message, status);
  return problemDetails('InternalError', 'An unexpected error occurred.', 500);
}

/**
 * Sends JSON with exactly the given content type: clients such as ngsijs compare the
 * header verbatim, so no `charset` parameter is appended.
 */
export function sendJson(
  reply: FastifyReply,
  status: number,
  body: unknown,
  contentType = 'application/json',
) {
  // A Buffer is sent as is: Fastify appends `; charset=utf-8` to string payloads.
  return reply
    .status(status)
    .header('content-type', contentType)
    .send(Buffer.from(JSON.stringify(body)));
}

/** The `/ngsi-ld/` error formatter registered with the kernel's error handler. */
export const ngsiLdErrorFormatter: ErrorFormatter = {
  prefix: '/ngsi-ld/',
  format(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const doc = toProblemDetails(error);
    if (doc.status >= 500 && !(error instanceof DomainError))
      request.log.error({ err: error }, 'unhandled NGSI-LD error');
    if (error instanceof DomainError) {
      const retry = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retry) reply.header('retry-after', String(Math.ceil(retry)));
    }
    reply.header('x-request-id', String(request.id));
    return sendJson(reply, doc.status, doc);
  },
};
