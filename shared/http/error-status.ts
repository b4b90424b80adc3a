import type { ErrorCode } from '../domain/errors.ts';

/** HTTP status of each core error code; a dialect overrides only where its own documents say otherwise. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  validation_failed: 422,
  domain_not_controlled: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  quota_exceeded: 429,
  rate_limited: 429,
  dependency_unavailable: 503,
  credentials_refused: 422,
  internal: 500,
};
