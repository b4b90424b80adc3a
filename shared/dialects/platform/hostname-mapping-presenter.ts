import type { MappingView } from '../../use-cases/hostname-mappings.ts';
import { certificatesIri, isoWithOffset } from './presenter.ts';

export const hostnameMappingsIri = (organizationId: number): string => `/api/organizations/${organizationId}/hostname-mappings`;

/** A mapping with the live state of its certificate: coverage (`sslStatus`), status and expiry. */
export function hostnameMappingResource({ mapping, certificate, sslStatus }: MappingView) {
  return {
    '@context': '/api/contexts/HostnameMapping',
    '@id': `${hostnameMappingsIri(mapping.organizationId)}/${mapping.hostname}`,
    '@type': 'HostnameMapping',
    hostname: mapping.hostname,
    certificate: `${certificatesIri(mapping.organizationId)}/${mapping.certificateId}`,
    certificateId: mapping.certificateId,
    sslStatus,
    certificateStatus: certificate?.status ?? null,
    certificateType: certificate?.type ?? null,
    expiresAt: isoWithOffset(certificate?.notAfter ?? null),
    createdAt: isoWithOffset(mapping.createdAt),
    updatedAt: isoWithOffset(mapping.updatedAt),
    organizationId: mapping.organizationId,
  };
}
