import type { CertwrightError } from '../../domain/errors.ts';
import type { DialectErrors } from '../../http/api-handler.ts';
import type { ApiResult } from '../../http/api-types.ts';
import { ERROR_STATUS } from '../../http/error-status.ts';
import { contextIri } from './vocabulary.ts';


/** Core input names -> this dialect's property names. */
const PROPERTY_PATHS: Record<string, string> = {
  certificate: 'certificateData',
  privateKey: 'privateKeyData',
  chain: 'chainData',
  // The certificate a hostname mapping points at (its `certificate` property, an IRI).
  mappedCertificate: 'certificate',
};

/** The JSON-LD head of a problem document: a ConstraintViolationList when rules were broken, else a hydra:Error. */
export const problemNode = (hasViolations: boolean) =>
  hasViolations
    ? { '@context': contextIri('ConstraintViolationList'), '@type': 'ConstraintViolationList' }
    : { '@context': contextIri('Error'), '@type': 'hydra:Error' };

/** API Platform's JSON-LD errors: a problem document with Hydra terms, and a ConstraintViolationList for 422. */
export const platformErrors: DialectErrors = {
  toResponse(error: CertwrightError): ApiResult {
    const status = ERROR_STATUS[error.code];
    const violations = error.violations.map((violation) => ({
      propertyPath: PROPERTY_PATHS[violation.field] ?? violation.field,
      message: violation.message,
    }));
    const detail = violations.length > 0 ? violations.map((v) => `${v.propertyPath}: ${v.message}`).join('\n') : error.message;
    const body = {
      ...problemNode(violations.length > 0),
      type: `/errors/${status}`,
      title: 'An error occurred',
      detail,
      status,
      'hydra:title': 'An error occurred',
      'hydra:description': detail,
      ...(violations.length > 0 ? { violations } : {}),
    };
    return {
      statusCode: status,
      headers: {
        'content-type': 'application/problem+json; charset=utf-8',
        ...(status === 401 ? { 'www-authenticate': 'Bearer realm="certwright"' } : {}),
        ...(error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
      },
      body: JSON.stringify(body),
    };
  },
};
