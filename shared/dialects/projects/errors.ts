import type { CertwrightError, ErrorCode } from '../../domain/errors.ts';
import type { DialectErrors } from '../../http/api-handler.ts';
import type { ApiResult } from '../../http/api-types.ts';
import { ERROR_STATUS } from '../../http/error-status.ts';

/** The projects dialect answers an invalid certificate with 400, not 422. */
const STATUS: Record<ErrorCode, number> = { ...ERROR_STATUS, validation_failed: 400 };

/**
 * The projects dialect's errors: `{"success": false, "error": "..."}`. Violations become one sentence each,
 * without the trailing period, as the seed writes them ("Certificate is not valid for domain api.example.com").
 */
export const projectsErrors: DialectErrors = {
  toResponse(error: CertwrightError): ApiResult {
    const status = STATUS[error.code];
    const message =
      error.violations.length > 0 ? error.violations.map((violation) => violation.message.replace(/\.$/, '')).join('; ') : error.message;
    return {
      statusCode: status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(status === 401 ? { 'www-authenticate': 'Bearer realm="certwright"' } : {}),
        ...(error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
      },
      body: JSON.stringify({ success: false, error: message }),
    };
  },
};
