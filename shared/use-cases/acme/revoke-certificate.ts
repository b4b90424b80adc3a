import { StepError } from '../../domain/acme-errors.ts';
import { replaceAttempt } from '../../domain/certificate.ts';
import type { Certificate } from '../../domain/certificate.ts';
import { CertwrightError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/organization.ts';
import { announceOutcome } from '../announce-outcome.ts';
import type { CertificateApiDeps } from '../core-deps.ts';
import { accountOfOrder, openAccount } from './accounts.ts';
import { changeCertificate } from './certificate-progress.ts';

/**
 * RFC 5280 CRLReason codes a subscriber may give (the ones Let's Encrypt accepts); `unspecified` by default.
 * cACompromise, certificateHold, removeFromCRL, privilegeWithdrawn and aACompromise are the CA's own business.
 */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;
export const REVOCATION_REASON_NAMES = Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]];

const alreadyRevoked = () => new ConflictError('The certificate is already revoked; a revoked certificate cannot be un-revoked');

/** What a failed call to the CA means for the caller: the CA's refusal is 400 with its words, an outage 503. */
function revocationError(error: unknown): CertwrightError {
  if (error instanceof StepError && error.name === 'AcmeProblemError')
    return new CertwrightError('bad_request', `The CA refused the revocation: ${error.message}`, { cause: error });
  if (error instanceof StepError && error.name === 'IssuanceSetupError') return new CertwrightError('precondition_failed', error.message);
  if (error instanceof StepError)
    return new CertwrightError('dependency_unavailable', `The certificate could not be revoked now: ${error.message}`, { cause: error, retryable: true });
  return error instanceof CertwrightError ? error : new CertwrightError('internal', 'The certificate could not be revoked', { cause: error });
}

/** The checks that need no CA: an auto-managed, issued certificate that is not revoked yet. */
function assertRevocable(certificate: Certificate): void {
  if (certificate.status === 'revoked') throw alreadyRevoked();
  if (certificate.type !== 'auto_managed') {
    throw new CertwrightError(
      'bad_request',
      'Only ACME certificates can be revoked: certwright has no account at the CA that issued a custom certificate; ask that CA to revoke it',
    );
  }
  if (!certificate.certificateData) throw new CertwrightError('bad_request', 'The certificate has not been issued yet, so there is nothing to revoke');
}

/**
 * Revokes an auto-managed certificate at its CA (RFC 8555 revokeCert with the organization's ACME account that
 * issued it and an RFC 5280 reason), then marks it `revoked` for good: autoRenew off, no renewAt, so the planner's
 * index drops it.
 *
 * An `acme_revoke` attempt is recorded first and supersedes any attempt under way (a renewal that finishes later
 * is not stored over the revoked certificate). A CA that answers `alreadyRevoked` counts as revoked. When the CA
 * refuses or cannot be reached, the attempt is failed with the reason and the certificate stays as it was.
 * A second revoke is 409: revocation cannot be undone and there is nothing left to do.
 */
export async function revokeCertificate(
  deps: CertificateApiDeps,
  certificate: Certificate,
  reason: RevocationReason = 'unspecified',
): Promise<Certificate> {
  assertRevocable(certificate);
  if (deps.acmeConfig.unavailableReason) throw new CertwrightError('precondition_failed', deps.acmeConfig.unavailableReason);
  const settings = await deps.issuance.getSettings(certificate.id);
  if (!settings) throw new CertwrightError('precondition_failed', 'The certificate has no ACME settings, so the CA that issued it is not known');

  const ids = { organizationId: certificate.organizationId, certificateId: certificate.id };
  const attemptId = deps.newId();
  let refused: CertwrightError | null = null;
  const claimed = await changeCertificate(deps, ids, (current, now) => {
    try {
      assertRevocable(current);
    } catch (error) {
      refused = error as CertwrightError;
      return null;
    }
    return {
      ...current,
      ...replaceAttempt(current, { id: attemptId, type: 'acme_revoke', status: 'running', startedAt: now, finishedAt: null, error: null }),
      attemptCount: current.attemptCount + 1,
    };
  });
  if (!claimed) throw new NotFoundError('Certificate');
  if (refused) throw refused;

  try {
    // The account that issued it: the one whose authorizations cover its names (RFC 8555 section 7.6).
    const session = await openAccount(deps, accountOfOrder(certificate.organizationId, { directoryUrl: settings.directoryUrl, accountNumber: claimed.accountNumber }));
    const pem = claimed.certificateData ?? '';
    const code = REVOCATION_REASONS[reason];
    try {
      await deps.acme.revokeCertificate(session, pem, code);
    } catch (error) {
      // One request per call: a stale nonce is worth exactly one more try.
      if (!(error instanceof StepError && error.name === 'AcmeBadNonceError')) throw error;
      await deps.acme.revokeCertificate(session, pem, code);
    }
  } catch (error) {
    const failure = revocationError(error);
    await changeCertificate(deps, ids, (current, now) =>
      current.lastAttempt?.id === attemptId
        ? { ...current, lastAttempt: { ...current.lastAttempt, status: 'failed', finishedAt: now, error: failure.message } }
        : null,
    );
    throw failure;
  }

  // Revoked at the CA: recorded whatever else happened to the record meanwhile.
  const revoked = await changeCertificate(deps, ids, (current, now) => ({
    ...current,
    status: 'revoked',
    autoRenew: false,
    renewAt: null,
    ...replaceAttempt(current, {
      id: attemptId,
      type: 'acme_revoke',
      status: 'succeeded',
      startedAt: claimed.lastAttempt?.startedAt ?? now,
      finishedAt: now,
      error: null,
    }),
  }));
  if (!revoked) throw new NotFoundError('Certificate');
  await announceOutcome(deps, revoked, { revocationReason: reason });
  return revoked;
}

/** Revoke, for a certificate of the caller's organization named by id. */
export async function revokeCertificateById(
  deps: CertificateApiDeps,
  principal: Principal,
  id: string,
  reason: RevocationReason = 'unspecified',
): Promise<Certificate> {
  const certificate = await deps.certificates.get(principal.organizationId, id);
  if (!certificate) throw new NotFoundError('Certificate');
  return revokeCertificate(deps, certificate, reason);
}
