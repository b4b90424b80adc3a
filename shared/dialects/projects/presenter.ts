import type { Certificate } from '../../domain/certificate.ts';
import { currentStatus } from '../../domain/certificate-health.ts';
import type { CertificateHealth } from '../../domain/certificate-health.ts';
import type { Project } from '../../domain/project.ts';

/** `2026-01-19T00:00:00Z`, the seed's date format. */
export const isoSeconds = (value: string | null): string | null =>
  value === null ? null : new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The name the project serves, else the certificate's own (a project whose domain was removed). */
export const projectDomain = (project: Project, certificate: Certificate): string => project.domain ?? certificate.domainName;

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
    domain: projectDomain(project, certificate),
    type: typeName(certificate),
    status: currentStatus(certificate, now),
    issuedAt: isoSeconds(certificate.notBefore),
    expiresAt: isoSeconds(certificate.notAfter),
    issuer: certificate.issuer,
    autoRenew: certificate.autoRenew,
    ...(certificate.type === 'auto_managed' ? { reusePrivateKey: certificate.reusePrivateKey ?? false } : {}),
  };
}

export const statusPath = (project: Project): string => `/api/v1/projects/${project.id}/certificate/status`;

/**
 * What obtain and renew answer with their 202, before the CA has issued: the attempt, where to follow it, and in
 * words how. A client ported from the seed expects the certificate in the reply; this tells it where it will be.
 */
export function attemptFollowUp(project: Project, certificate: Certificate) {
  const attempt = certificate.lastAttempt;
  const status = statusPath(project);
  return {
    attempt: attempt && {
      id: attempt.id,
      type: attempt.type,
      status: attempt.status,
      startedAt: isoSeconds(attempt.startedAt),
      statusUrl: status,
    },
    message:
      `The CA is ${attempt?.type === 'acme_renew' ? 'renewing' : 'issuing'} the certificate. Follow it with GET ${status}: ` +
      `lastRenewAttempt and lastRenewError, and status "failed" with the CA's reason if a first issuance fails; ` +
      `GET /api/v1/projects/${project.id}/certificate shows the new issuedAt and expiresAt once it is issued.`,
  };
}

/** The Location and Retry-After of a 202: the status to poll, and how soon. */
export const followUpHeaders = (project: Project): Record<string, string> => ({ location: statusPath(project), 'retry-after': '5' });

/**
 * The seed's status, plus whether renewal is paused and why (then also in `lastRenewError`): after too many
 * consecutive failures the planner stops; renew now (or autoRenew set to true in the platform dialect) resumes.
 */
export function certificateStatus(project: Project, certificate: Certificate, health: CertificateHealth) {
  return {
    // A first issuance that failed also reads as the seed's failure (`{"success": false, "error": "HTTP-01 challenge
    // failed: ..."}`), which obtain could not answer because it answers before the CA has validated.
    ...(health.status === 'failed' ? { success: false, error: health.lastRenewError ?? 'The certificate could not be issued' } : {}),
    status: health.status,
    domain: projectDomain(project, certificate),
    expiresAt: isoSeconds(certificate.notAfter),
    daysUntilExpiry: health.daysUntilExpiry,
    autoRenew: certificate.autoRenew,
    lastRenewAttempt: isoSeconds(health.lastRenewAttempt),
    lastRenewError: health.lastRenewError,
    renewalPaused: health.renewalPaused,
    renewalPausedReason: health.renewalPausedReason,
  };
}
