import { reachedAt } from '../../domain/attempt-progress.ts';
import type { Attempt, Certificate, San } from '../../domain/certificate.ts';
import { currentStatus } from '../../domain/certificate-health.ts';
import { hydraCollection } from './collection.ts';
import type { PageRequest } from './collection.ts';
import { contextIri } from './vocabulary.ts';

/** `2026-09-30T12:00:00+00:00`, the seeds' date format. */
export const isoWithOffset = (value: string | null): string | null =>
  value === null ? null : new Date(value).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export const certificatesIri = (organizationId: number): string => `/api/organizations/${organizationId}/certificates`;
export const certificateIri = (certificate: Certificate): string => `${certificatesIri(certificate.organizationId)}/${certificate.id}`;

/**
 * Beyond the seed, on ACME attempts: per name (the certificate's SANs, in order), when it reached each stage of the
 * workflow (null: not yet, or skipped, as a name whose authorization the CA reused skips its challenge).
 */
function attemptProgress(certificate: Certificate, attempt: Attempt) {
  const progress = attempt.progress ?? {};
  const names = certificate.sans.length > 0 ? certificate.sans.map((san) => san.name) : [certificate.domainName];
  return names.map((name) => ({
    name,
    orderedAt: isoWithOffset(reachedAt(progress, 'ordered', name)),
    challengePresentedAt: isoWithOffset(reachedAt(progress, 'challengePresented', name)),
    propagatedAt: isoWithOffset(reachedAt(progress, 'propagated', name)),
    validatedAt: isoWithOffset(reachedAt(progress, 'validated', name)),
    finalizedAt: isoWithOffset(reachedAt(progress, 'finalized', name)),
    storedAt: isoWithOffset(reachedAt(progress, 'stored', name)),
  }));
}

/** An attempt of a certificate, at `.../certificates/{id}/attempts/{attemptId}`. */
export const attemptResource = (certificate: Certificate, attempt: Attempt) => ({
  '@context': contextIri('Attempt'),
  '@id': `${certificateIri(certificate)}/attempts/${attempt.id}`,
  '@type': 'Attempt',
  id: attempt.id,
  type: attempt.type,
  status: attempt.status,
  startedAt: isoWithOffset(attempt.startedAt),
  finishedAt: isoWithOffset(attempt.finishedAt),
  ...(attempt.error ? { error: attempt.error } : {}),
  ...(attempt.type === 'acme_issue' || attempt.type === 'acme_renew' ? { progress: attemptProgress(certificate, attempt) } : {}),
});

/** One name of a certificate, at `.../certificates/{id}/sans/{sanId}`. */
export const sanResource = (certificate: Certificate, san: San) => ({
  '@context': contextIri('CertificateSan'),
  '@id': `${certificateIri(certificate)}/sans/${san.id}`,
  '@type': 'CertificateSan',
  id: san.id,
  name: san.name,
  dnsStatus: san.dnsStatus,
  sslStatus: san.sslStatus,
});

/**
 * The seed's certificate resource at `now` (an active certificate past its end reads `expired`); `privateKeyData`
 * only when the caller asked for it and may see it. Beyond the seed: `reusePrivateKey`, and `renewalPausedReason`
 * (null unless the planner stopped renewing after too many failures; renew now or autoRenew true resumes).
 */
export function certificateResource(certificate: Certificate, now: Date, privateKeyData?: string | null) {
  const iri = certificateIri(certificate);
  return {
    '@context': contextIri('Certificate'),
    '@id': iri,
    '@type': 'Certificate',
    id: certificate.id,
    name: certificate.name,
    domainName: certificate.domainName,
    type: certificate.type,
    status: currentStatus(certificate, now),
    certificateData: certificate.certificateData,
    ...(privateKeyData === undefined ? {} : { privateKeyData }),
    chainData: certificate.chainData,
    expiresAt: isoWithOffset(certificate.notAfter),
    notBefore: isoWithOffset(certificate.notBefore),
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    fingerprint: certificate.fingerprint,
    keyType: certificate.keyType,
    keySize: certificate.keySize,
    autoRenew: certificate.autoRenew,
    reusePrivateKey: certificate.reusePrivateKey ?? false,
    renewalPausedReason: certificate.renewal?.pausedReason ?? null,
    sans: certificate.sans.map((san) => sanResource(certificate, san)),
    lastAttempt: certificate.lastAttempt ? attemptResource(certificate, certificate.lastAttempt) : null,
    createdAt: isoWithOffset(certificate.createdAt),
    updatedAt: isoWithOffset(certificate.updatedAt),
    organizationId: certificate.organizationId,
    attemptCount: certificate.attemptCount,
  };
}

export interface CollectionRequest extends PageRequest {
  organizationId: number;
}

/**
 * Most bytes of full members in one page of certificates. A member is up to about 90 KB (64 KiB of PEM, 100 SANs),
 * so 100 of them could pass Lambda's 6 MB response limit; past this budget the page goes on with short members.
 */
export const COLLECTION_FULL_MEMBER_BYTES = 1024 * 1024;

/** A member past the page's byte budget: everything but the PEM data and the SANs, which its `@id` gives in full. */
function shortMember(resource: ReturnType<typeof certificateResource>): Partial<ReturnType<typeof certificateResource>> {
  const short: Partial<ReturnType<typeof certificateResource>> = { ...resource };
  delete short.certificateData;
  delete short.chainData;
  delete short.sans;
  return short;
}

/**
 * The certificate collection: a Hydra collection with working first/last/previous/next links. Members are given in
 * full while they fit in {@link COLLECTION_FULL_MEMBER_BYTES}; the rest of the page, without certificateData,
 * chainData and sans, so a page never grows past a few megabytes however large its certificates are.
 */
export function certificateCollection(request: CollectionRequest, members: Certificate[], totalItems: number, now: Date) {
  let budget = COLLECTION_FULL_MEMBER_BYTES;
  const resources = members.map((certificate) => {
    const resource = certificateResource(certificate, now);
    if (budget <= 0) return shortMember(resource);
    const bytes = Buffer.byteLength(JSON.stringify(resource));
    budget -= bytes;
    return budget >= 0 ? resource : shortMember(resource);
  });
  return hydraCollection(certificatesIri(request.organizationId), contextIri('Certificate'), request, resources, totalItems);
}
