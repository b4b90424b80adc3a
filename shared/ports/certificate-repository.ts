import type { Certificate } from '../domain/certificate.ts';

export interface CertificatePage {
  items: Certificate[];
  totalItems: number;
}

export interface CursorPageRequest {
  /** The certificate the page starts after, in the chosen order; null for the first page. */
  after: Pick<Certificate, 'id' | 'createdAt'> | null;
  limit: number;
  order: 'asc' | 'desc';
}

export interface CursorPage {
  items: Certificate[];
  hasMore: boolean;
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
  /**
   * One cursor page in creation order: up to `limit` certificates after (`asc`) or before (`desc`) the `after`
   * certificate, and whether more follow.
   */
  listByCursor(organizationId: number, page: CursorPageRequest): Promise<CursorPage>;
  /**
   * Removes the certificate and uncounts it from its organization, in one transaction that is refused with a
   * ConflictError while the certificate is active anywhere, and with a retryable ConflictError when its version is
   * no longer `expectedVersion`. NotFoundError when it is not there.
   */
  delete(organizationId: number, id: string, expectedVersion: number): Promise<void>;
}
