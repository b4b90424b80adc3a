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
  /**
   * Replaces the stored certificate when its version is still `expectedVersion` (optimistic concurrency) and
   * returns it with the next version. Throws ConflictError when another write came first, NotFoundError when it is gone.
   */
  update(certificate: Certificate, expectedVersion: number): Promise<Certificate>;
  /** The organization's certificates among `ids` (missing or foreign ones are left out), in no particular order. */
  getMany(organizationId: number, ids: readonly string[]): Promise<Certificate[]>;
}
