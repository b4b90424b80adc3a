/** A project of an organization: it serves one domain and holds at most one certificate for it. */
export interface Project {
  /** UUID. */
  id: string;
  organizationId: number;
  name: string;
  /** The hostname the project serves; null until configured (certificates need it). */
  domain: string | null;
  /** A Route 53 hosted zone id (`Z...`) that DNS-01 writes to instead of finding the zone by name; null to look it up. */
  hostedZoneId?: string | null | undefined;
  /** The project's current certificate (one per project), or null. */
  certificateId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: every stored change increments it. */
  version: number;
}
