import type { AttemptProgress } from '../domain/attempt-progress.ts';
import type { Certificate, DnsStatus } from '../domain/certificate.ts';

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

export interface SanDnsStatusChange {
  attemptId: string;
  /** The certificate's SAN names as the attempt found them, in stored order. */
  sanNames: readonly string[];
  /** The new dnsStatus of the SAN at each position of `sanNames`; null leaves that SAN as it is. */
  dnsStatuses: readonly (DnsStatus | null)[];
  updatedAt: string;
  /** Stages of the attempt's progress reached now, recorded by the same write (each replaces what it held). */
  progress?: Partial<AttemptProgress>;
}

/** Stages an attempt reached, each replacing what it held, written without reading the certificate first. */
export interface ProgressChange {
  attemptId: string;
  progress: Partial<AttemptProgress>;
  updatedAt: string;
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
  /**
   * Sets SANs' dnsStatus by position in one conditional write, without reading the certificate first: only while
   * `attemptId` is its current attempt and its SANs are `sanNames`, in that order. The version goes up as with update(),
   * so a client holding the old ETag is refused. False, with nothing changed, when that does not hold or it is gone.
   */
  setSanDnsStatuses(organizationId: number, id: string, change: SanDnsStatusChange): Promise<boolean>;
  /**
   * Records stages of the current attempt's progress in one conditional write: only while `attemptId` is its current
   * attempt and that attempt's progress exists. The version goes up as with update(). False, with nothing changed,
   * when that does not hold.
   */
  recordProgress(organizationId: number, id: string, change: ProgressChange): Promise<boolean>;
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
