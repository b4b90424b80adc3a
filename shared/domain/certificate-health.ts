import type { Certificate, CertificateStatus } from './certificate.ts';

/** A certificate expiring within this many days is `expiring_soon`. */
export const EXPIRING_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

export type CertificateHealthStatus = 'valid' | 'expiring_soon' | 'expired' | 'revoked' | 'pending' | 'failed';

export interface CertificateHealth {
  /**
   * `pending` only for a certificate that is still being obtained and has no validity period yet; `failed` for one
   * whose first issuance failed (the CA's reason is in lastRenewError).
   */
  status: CertificateHealthStatus;
  /**
   * Days until expiry, a day begun counting as one (a fresh 90-day certificate has 90, as the seed shows; one
   * expiring within the hour has 1), 0 once expired; null without a validity period. So `expiring_soon` (within 30
   * days) is exactly daysUntilExpiry <= 30.
   */
  daysUntilExpiry: number | null;
  lastRenewAttempt: string | null;
  /**
   * Why renewal stopped when it is paused, else the last renewal's error; before the first certificate, the failed
   * issuance's error (the CA's reason), which is what a client that called obtain follows.
   */
  lastRenewError: string | null;
  /** The planner stopped renewing after too many consecutive failures; a person resumes it. */
  renewalPaused: boolean;
  renewalPausedReason: string | null;
}

/**
 * The status a reader sees at `now`: the stored one, except that an active certificate past its notAfter is
 * `expired`. Derived on every read rather than stored, so it is right the moment the certificate runs out.
 */
export function currentStatus(certificate: Pick<Certificate, 'status' | 'notAfter'>, now: Date): CertificateStatus {
  if (certificate.status === 'active' && certificate.notAfter && new Date(certificate.notAfter).getTime() <= now.getTime()) return 'expired';
  return certificate.status;
}

/** How a certificate stands at `now`, as the projects dialect's status endpoint reports it. */
export function certificateHealth(certificate: Certificate, now: Date): CertificateHealth {
  // A revocation or an import replaces lastAttempt; the renewal it replaced is kept in lastRenewal. Before the first
  // certificate there is no renewal yet: the issuance obtain started stands in for it.
  const attempt = certificate.lastAttempt;
  const firstIssuance = attempt?.type === 'acme_issue' && !certificate.certificateData ? attempt : null;
  const renewal = attempt?.type === 'acme_renew' ? attempt : (certificate.lastRenewal ?? firstIssuance);
  const renewalPausedReason = certificate.renewal?.pausedReason ?? null;
  const lastRenewAttempt = renewal?.startedAt ?? null;
  const lastRenewError = renewalPausedReason ?? (renewal?.status === 'failed' ? (renewal.error ?? 'The renewal failed') : null);
  const expiresAt = certificate.notAfter ? new Date(certificate.notAfter).getTime() : null;
  const daysUntilExpiry = expiresAt === null ? null : Math.max(0, Math.ceil((expiresAt - now.getTime()) / DAY_MS));
  let status: CertificateHealthStatus;
  if (certificate.status === 'revoked') status = 'revoked';
  else if (certificate.status === 'failed' && expiresAt === null) status = 'failed';
  else if (expiresAt === null) status = 'pending';
  else if (certificate.status === 'expired' || expiresAt <= now.getTime()) status = 'expired';
  else if (expiresAt - now.getTime() <= EXPIRING_SOON_DAYS * DAY_MS) status = 'expiring_soon';
  else status = 'valid';
  return { status, daysUntilExpiry, lastRenewAttempt, lastRenewError, renewalPaused: renewalPausedReason !== null, renewalPausedReason };
}
