import type { AuditEvent } from '../domain/identity.ts';

export interface AuditPage {
  events: AuditEvent[];
  /** Opaque cursor of the next (older) page; null at the end. */
  next: string | null;
}

/** Append-only record of writes, per organization, newest first. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  list(organizationId: number, limit: number, after: string | null): Promise<AuditPage>;
}
