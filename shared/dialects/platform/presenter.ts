import type { Attempt, Certificate } from '../../domain/certificate.ts';

/** `2026-09-30T12:00:00+00:00`, the seeds' date format. */
export const isoWithOffset = (value: string | null): string | null =>
  value === null ? null : new Date(value).toISOString().replace(/\.\d{3}Z$/, '+00:00');

export const certificatesIri = (organizationId: number): string => `/api/organizations/${organizationId}/certificates`;
export const certificateIri = (certificate: Certificate): string => `${certificatesIri(certificate.organizationId)}/${certificate.id}`;

const attemptResource = (certificate: Certificate, attempt: Attempt) => ({
  '@context': '/api/contexts/Attempt',
  '@id': `${certificateIri(certificate)}/attempts/${attempt.id}`,
  '@type': 'Attempt',
  id: attempt.id,
  type: attempt.type,
  status: attempt.status,
  startedAt: isoWithOffset(attempt.startedAt),
  finishedAt: isoWithOffset(attempt.finishedAt),
  ...(attempt.error ? { error: attempt.error } : {}),
});

/** The seed's certificate resource; `privateKeyData` only when the caller asked for it and may see it. */
export function certificateResource(certificate: Certificate, privateKeyData?: string | null) {
  const iri = certificateIri(certificate);
  return {
    '@context': '/api/contexts/Certificate',
    '@id': iri,
    '@type': 'Certificate',
    id: certificate.id,
    name: certificate.name,
    domainName: certificate.domainName,
    type: certificate.type,
    status: certificate.status,
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
    sans: certificate.sans.map((san) => ({
      '@context': '/api/contexts/CertificateSan',
      '@id': `${iri}/sans/${san.id}`,
      '@type': 'CertificateSan',
      id: san.id,
      name: san.name,
      dnsStatus: san.dnsStatus,
      sslStatus: san.sslStatus,
    })),
    lastAttempt: certificate.lastAttempt ? attemptResource(certificate, certificate.lastAttempt) : null,
    createdAt: isoWithOffset(certificate.createdAt),
    updatedAt: isoWithOffset(certificate.updatedAt),
    organizationId: certificate.organizationId,
    attemptCount: certificate.attemptCount,
  };
}

export interface CollectionRequest {
  organizationId: number;
  page: number;
  itemsPerPage: number;
  /** Whether itemsPerPage was given, so links repeat it only then. */
  itemsPerPageGiven: boolean;
}

/** A Hydra collection with working first/last/previous/next links. */
export function certificateCollection(request: CollectionRequest, members: Certificate[], totalItems: number) {
  const base = certificatesIri(request.organizationId);
  const link = (page: number) =>
    `${base}?${new URLSearchParams({ ...(request.itemsPerPageGiven ? { itemsPerPage: String(request.itemsPerPage) } : {}), page: String(page) })}`;
  const lastPage = request.itemsPerPage > 0 ? Math.max(1, Math.ceil(totalItems / request.itemsPerPage)) : 1;
  return {
    '@context': '/api/contexts/Certificate',
    '@id': base,
    '@type': 'Collection',
    totalItems,
    member: members.map((certificate) => certificateResource(certificate)),
    view: {
      '@id': link(request.page),
      '@type': 'PartialCollectionView',
      first: link(1),
      last: link(lastPage),
      ...(request.page > 1 ? { previous: link(Math.min(request.page - 1, lastPage)) } : {}),
      ...(request.page < lastPage ? { next: link(request.page + 1) } : {}),
    },
    search: {
      '@type': 'IriTemplate',
      template: `${base}{?page,itemsPerPage}`,
      variableRepresentation: 'BasicRepresentation',
      mapping: ['page', 'itemsPerPage'].map((variable) => ({ '@type': 'IriTemplateMapping', variable, property: null, required: false })),
    },
  };
}
