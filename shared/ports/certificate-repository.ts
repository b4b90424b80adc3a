import type { Certificate } from '../domain/certificate.ts';

export interface CertificatePage {
  items: Certificate[];
  totalItems: number;
}

export interface CertificateRepository {
  /** Stores a new certificate and counts it against its organization. */
  create(certificate: Certificate): Promise<void>;
  /** The certificate when it exists and belongs to the organization, else null. */
  get(organizationId: number, id: string): Promise<Certificate | null>;
  /** One page by offset, oldest first. */
  listPage(organizationId: number, offset: number, limit: number): Promise<CertificatePage>;
}
