import * as z from 'zod';
import { REVOCATION_REASON_NAMES, revokeCertificate } from '../use-cases/acme/revoke-certificate.ts';
import type { RevocationReason } from '../use-cases/acme/revoke-certificate.ts';
import type { CertificateApiDeps } from '../use-cases/core-deps.ts';
import type { DeleteOptions } from '../use-cases/delete-certificate.ts';
import type { ApiEvent } from './api-types.ts';
import { parseWith, readJsonBody } from './request.ts';

const reasonSchema = z.enum(REVOCATION_REASON_NAMES, { message: `reason must be one of ${REVOCATION_REASON_NAMES.join(', ')}` });

export const revokeSchema = z.object({ reason: reasonSchema.default('unspecified') });

/** A revoke request's optional body, `{"reason": "keyCompromise"}`: no body at all means `unspecified`. */
export function readRevocationReason(event: ApiEvent, maxBytes: number): RevocationReason {
  if (!event.body) return 'unspecified';
  return parseWith(revokeSchema, readJsonBody(event, { maxBytes, mediaTypes: ['application/json'] })).reason;
}

/** A DELETE's options from its query: `?revoke=true` (with an optional `&reason=`) revokes at the CA before deleting. */
export function deleteOptions(deps: CertificateApiDeps, query: URLSearchParams): DeleteOptions {
  const revoke = query.get('revoke');
  if (revoke !== null && revoke !== 'true' && revoke !== 'false') {
    parseWith(z.object({ revoke: z.literal('true', { message: 'revoke must be true or false' }) }), { revoke });
  }
  const { reason } = parseWith(z.object({ reason: reasonSchema.default('unspecified') }), { reason: query.get('reason') ?? undefined });
  return revoke === 'true' ? { revokeFirst: (certificate) => revokeCertificate(deps, certificate, reason) } : {};
}
