import type { Certificate } from '../../domain/certificate.ts';
import { currentStatus } from '../../domain/certificate-health.ts';
import type { CertificateHealth } from '../../domain/certificate-health.ts';
import type { Project } from '../../domain/project.ts';

/** `2026-01-19T00:00:00Z`, the seed's date format. */
export const isoSeconds = (value: string | null): string | null =>
  value === null ? null : new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The seed calls ACME certificates `letsencrypt` whatever the CA. */
const typeName = (certificate: Certificate): string => (certificate.type === 'auto_managed' ? 'letsencrypt' : 'custom');

/**
 * The seed's certificate object, plus `id` and `status` (as the other dialects show it at `now`: `expired` once
 * past its end) so it can be found in the other dialects, and for ACME certificates `reusePrivateKey`, as obtain
 * accepts it.
 */
export function projectCertificate(project: Project, certificate: Certificate, now: Date) {
  return {
    id: certificate.id,
    domain: project.domain ?? certificate.domainName,
    type: typeName(certificate),
    status: currentStatus(certificate, now),
    issuedAt: isoSeconds(certificate.notBefore),
    expiresAt: isoSeconds(certificate.notAfter),
    issuer: certificate.issuer,
    autoRenew: certificate.autoRenew,
    ...(certificate.type === 'auto_managed' ? { reusePrivateKey: certificate.reusePrivateKey ?? false } : {}),
  };
}

/** An attempt under way, with where to follow it (obtain and renew answer before the CA has issued). */
export function attemptLink(project: Project, certificate: Certificate) {
  const attempt = certificate.lastAttempt;
  return (
    attempt && {
      id: attempt.id,
      type: attempt.type,
      status: attempt.status,
      startedAt: isoSeconds(attempt.startedAt),
      statusUrl: `/api/v1/projects/${project.id}/certificate/status`,
    }
  );
}

/**
 * The seed's status, plus whether renewal is paused and why (then also in `lastRenewError`): after too many
 * consecutive failures the planner stops; renew now (or autoRenew set to true in the platform dialect) resumes.
 */
export function certificateStatus(project: Project, certificate: Certificate, health: CertificateHealth) {
  return {
    status: health.status,
    domain: project.domain ?? certificate.domainName,
    expiresAt: isoSeconds(certificate.notAfter),
    daysUntilExpiry: health.daysUntilExpiry,
    autoRenew: certificate.autoRenew,
    lastRenewAttempt: isoSeconds(health.lastRenewAttempt),
    lastRenewError: health.lastRenewError,
    renewalPaused: health.renewalPaused,
    renewalPausedReason: health.renewalPausedReason,
  };
}
