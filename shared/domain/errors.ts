/** Stable error codes; each dialect maps them to its own HTTP status and body. */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  // A name the organization does not control (DNS-01 without a zone or a delegation into one): 422 in every dialect.
  | 'domain_not_controlled'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'dependency_unavailable'
  /** A DNS provider (or another service acting for the user) refused the credentials the user gave. */
  | 'credentials_refused'
  | 'internal';

/** One broken rule of a request, named by the field it concerns. */
export interface Violation {
  field: string;
  message: string;
}

export interface CertwrightErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  violations?: Violation[];
  /** How long the caller should wait before trying again; dialects send it as Retry-After. */
  retryAfterSeconds?: number;
}

/** Base of every error the core raises on purpose; anything else is a bug and becomes a bare 500. */
export class CertwrightError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly violations: Violation[];
  readonly retryAfterSeconds: number | null;

  constructor(code: ErrorCode, message: string, options: CertwrightErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'CertwrightError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.violations = options.violations ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

export class ValidationError extends CertwrightError {
  constructor(violations: Violation[]) {
    super('validation_failed', violations.map((v) => `${v.field}: ${v.message}`).join('\n'), { violations });
    this.name = 'ValidationError';
  }
}

/** Names the organization may not certify yet; each violation names one and what to set up. */
export class DomainControlError extends CertwrightError {
  constructor(violations: Violation[]) {
    super('domain_not_controlled', violations.map((v) => v.message).join('\n'), { violations });
    this.name = 'DomainControlError';
  }
}

export class NotFoundError extends CertwrightError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends CertwrightError {
  constructor(message: string, options: CertwrightErrorOptions = {}) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

/** Too many of something in a window (the CA's new-order budget, say); try again after `retryAfterSeconds`. */
export class RateLimitedError extends CertwrightError {
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message, { retryable: true, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
    this.name = 'RateLimitedError';
  }
}

export const isCertwrightError = (error: unknown): error is CertwrightError => error instanceof CertwrightError;
