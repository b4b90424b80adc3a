import type { Certificate } from '../../domain/certificate.ts';
import type { ScopedCertificate } from '../../use-cases/certificate-activation.ts';

export type ScopedObjectType = 'organization.certificate' | 'organization.project.certificate';

/** Unix seconds, as the admin API writes every time. */
const unixSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function details(certificate: Certificate, withContent: boolean) {
  return {
    ...(certificate.notBefore ? { valid_at: unixSeconds(certificate.notBefore) } : {}),
    ...(certificate.notAfter ? { expires_at: unixSeconds(certificate.notAfter) } : {}),
    // The PEM as stored: the leaf, then its chain.
    ...(withContent && certificate.certificateData
      ? { content: certificate.certificateData.trim() + '\n' + (certificate.chainData ?? '') }
      : {}),
  };
}

/** The `certificate` object of create, modify and get; `content` only when asked for. */
export const certificateObject = (certificate: Certificate, withContent = false) => ({
  object: 'certificate' as const,
  id: certificate.id,
  name: certificate.name,
  created_at: unixSeconds(certificate.createdAt),
  certificate_details: details(certificate, withContent),
});

/** A certificate as listed, activated or deactivated at a scope, with whether it is active there; `content` only when asked for. */
export const scopedCertificateObject = (object: ScopedObjectType, { certificate, active }: ScopedCertificate, withContent = false) => ({
  object,
  id: certificate.id,
  name: certificate.name,
  active,
  created_at: unixSeconds(certificate.createdAt),
  certificate_details: details(certificate, withContent),
});

export const certificateList = <T extends { id: string }>(data: T[], hasMore: boolean) => ({
  object: 'list' as const,
  data,
  first_id: data[0]?.id ?? null,
  last_id: data.at(-1)?.id ?? null,
  has_more: hasMore,
});

export const deletedCertificate = (id: string) => ({ id, object: 'certificate.deleted' as const });
