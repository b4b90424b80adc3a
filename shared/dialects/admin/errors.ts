import type { CertwrightError, ErrorCode, Violation } from '../../domain/errors.ts';
import type { DialectErrors } from '../../http/api-handler.ts';
import type { ApiResult } from '../../http/api-types.ts';

interface Style {
  status: number;
  type: string;
  code: string | null;
}

const STYLE: Record<ErrorCode, Style> = {
  bad_request: { status: 400, type: 'invalid_request_error', code: null },
  validation_failed: { status: 400, type: 'invalid_request_error', code: 'invalid_value' },
  domain_not_controlled: { status: 422, type: 'invalid_request_error', code: 'domain_not_controlled' },
  unauthenticated: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  forbidden: { status: 403, type: 'invalid_request_error', code: 'insufficient_permissions' },
  not_found: { status: 404, type: 'invalid_request_error', code: 'not_found' },
  conflict: { status: 409, type: 'invalid_request_error', code: 'conflict' },
  precondition_failed: { status: 412, type: 'invalid_request_error', code: 'precondition_failed' },
  payload_too_large: { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' },
  quota_exceeded: { status: 429, type: 'insufficient_quota', code: 'certificate_quota_exceeded' },
  rate_limited: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  dependency_unavailable: { status: 503, type: 'server_error', code: null },
  credentials_refused: { status: 422, type: 'invalid_request_error', code: 'credentials_refused' },
  internal: { status: 500, type: 'server_error', code: null },
};

/** Core input names -> this dialect's parameter names. */
const PARAMS: Record<string, string> = { certificate: 'certificate', privateKey: 'private_key', chain: 'chain' };
const CERTIFICATE_FIELDS = new Set(Object.keys(PARAMS));

const paramOf = (violation: Violation): string => PARAMS[violation.field] ?? violation.field;

function messageOf(error: CertwrightError): string {
  const [first, ...others] = error.violations;
  if (!first) return error.message;
  if (others.length === 0) return first.message;
  return error.violations.map((violation) => `${paramOf(violation)}: ${violation.message}`).join(' ');
}

/** The admin API's errors: `{"error": {"message", "type", "param", "code"}}`. */
export const adminErrors: DialectErrors = {
  toResponse(error: CertwrightError): ApiResult {
    const style = STYLE[error.code];
    const first = error.violations[0];
    let code = style.code;
    if (error.code === 'validation_failed' && first && CERTIFICATE_FIELDS.has(first.field)) code = 'invalid_certificate';
    else if (error.code === 'bad_request' && first) code = 'invalid_value';
    const body = { error: { message: messageOf(error), type: style.type, param: first ? paramOf(first) : null, code } };
    return {
      statusCode: style.status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(style.status === 401 ? { 'www-authenticate': 'Bearer realm="certwright"' } : {}),
        ...(error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
      },
      body: JSON.stringify(body),
    };
  },
};
