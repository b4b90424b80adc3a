import type { ProviderOptions } from './acme.ts';

/** A project of an organization: it serves one domain and holds at most one certificate for it. */
export interface Project {
  /** UUID. */
  id: string;
  organizationId: number;
  name: string;
  /** The hostname the project serves; null until configured (certificates need it). */
  domain: string | null;
  /** DNS provider settings the project pins for dns-01 (say, which zone to write to); null to find the zone by name. */
  providerOptions?: ProviderOptions | null | undefined;
  /** The project's current certificate (one per project), or null. */
  certificateId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: every stored change increments it. */
  version: number;
}
