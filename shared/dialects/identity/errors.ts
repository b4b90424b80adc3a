import type { CertwrightError } from '../../domain/errors.ts';
import type { DialectErrors } from '../../http/api-handler.ts';
import type { ApiResult } from '../../http/api-types.ts';
import { ERROR_STATUS } from '../../http/error-status.ts';
import { problemNode } from '../platform/errors.ts';


/** RFC 7807 problem documents in JSON-LD, like the platform dialect's (the same contexts), with `violations` on 422 and Retry-After on 429. */
export const identityErrors: DialectErrors = {
  toResponse(error: CertwrightError): ApiResult {
    const status = ERROR_STATUS[error.code];
    const violations = error.violations.map((violation) => ({ propertyPath: violation.field, message: violation.message }));
    const body = {
      ...problemNode(violations.length > 0),
      type: `/errors/${status}`,
      title: status === 422 ? 'Validation failed' : 'An error occurred',
      status,
      detail: error.message,
      ...(violations.length > 0 ? { violations } : {}),
    };
    return {
      statusCode: status,
      headers: {
        'content-type': 'application/problem+json; charset=utf-8',
        'cache-control': 'no-store',
        ...(status === 401 ? { 'www-authenticate': 'Bearer realm="certwright"' } : {}),
        ...(error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
      },
      body: JSON.stringify(body),
    };
  },
};
