/**
 * Domain errors. Services throw these; they know nothing of HTTP. One translator
 * (`problem-details.ts`) maps them to RFC 9457 problem+json with a stable `code`.
 * The catalogue of codes is `docs/errors.md`.
 */
export class DomainError extends Error {
  /** HTTP-independent category; the translator maps it to a status. */
  readonly kind: ErrorKind;
  /** Stable, documented, machine-readable code such as `case.version_conflict`. */
  readonly code: string;
  /** Extra members for the problem document (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable';

/** Input that fails validation or a business rule about its content (400). */
export class InvalidInputError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>, code = 'invalid_input') {
    super('invalid_input', code, message, details);
  }
}

/** No or bad credentials (401). */
export class UnauthenticatedError extends DomainError {
  constructor(
    message = 'Authentication is required.',
    code = 'unauthenticated',
    details?: Record<string, unknown>,
  ) {
    super('unauthenticated', code, message, details);
  }
}

/** Authenticated but the role may not do this (403). Out-of-scope objects use NotFoundError. */
export class ForbiddenError extends DomainError {
  constructor(
    message = 'You are not allowed to do this.',
    code = 'forbidden',
    details?: Record<string, unknown>,
  ) {
    super('forbidden', code, message, details);
  }
}

/** The object does not exist, or exists outside the caller's jurisdiction (404). */
export class NotFoundError extends DomainError {
  constructor(message: string, code = 'not_found', details?: Record<string, unknown>) {
    super('not_found', code, message, details);
  }
}

/** State or version conflict (409): a stale version, a transition not allowed now, a duplicate key. */
export class ConflictError extends DomainError {
  constructor(message: string, code = 'conflict', details?: Record<string, unknown>) {
    super('conflict', code, message, details);
  }
}

/** Too large (413). */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string, code = 'payload_too_large', details?: Record<string, unknown>) {
    super('payload_too_large', code, message, details);
  }
}

/** Content type not accepted (415). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string, code = 'unsupported_media_type', details?: Record<string, unknown>) {
    super('unsupported_media_type', code, message, details);
  }
}

/** Rate limit or lockout (429). `retryAfterSeconds` becomes a `Retry-After` header. */
export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code = 'too_many_requests',
  ) {
    super('too_many_requests', code, message, { retryAfterSeconds });
  }
}

/** A dependency is not ready or the node is overloaded (503). */
export class UnavailableError extends DomainError {
  constructor(
    message: string,
    code = 'unavailable',
    readonly retryAfterSeconds?: number,
  ) {
    super('unavailable', code, message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
  }
}

/** HTTP status for each error kind; used only by the HTTP translator. */
export const statusOfKind: Readonly<Record<ErrorKind, number>> = Object.freeze({
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
});
