import type { HostnameMapping } from '../domain/hostname-mapping.ts';

export interface HostnameMappingRepository {
  /** Stores a new mapping; ConflictError when the hostname is already mapped in the organization. */
  create(mapping: HostnameMapping): Promise<void>;
  get(organizationId: number, hostname: string): Promise<HostnameMapping | null>;
  /** Every mapping of the organization, ordered by hostname. */
  list(organizationId: number): Promise<HostnameMapping[]>;
  /** Replaces the mapping when its version is still `expectedVersion`; ConflictError / NotFoundError otherwise. */
  update(mapping: HostnameMapping, expectedVersion: number): Promise<HostnameMapping>;
  /** Removes the mapping; NotFoundError when it is not there. */
  delete(organizationId: number, hostname: string): Promise<void>;
}
