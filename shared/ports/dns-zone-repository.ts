import type { DnsZone } from '../domain/dns-zone.ts';

/** The DNS zones each organization holds, by zone name. */
export interface DnsZoneRepository {
  /** Every zone of the organization, by name; read consistently, since it decides what the organization may certify. */
  list(organizationId: number): Promise<DnsZone[]>;
  get(organizationId: number, zoneName: string): Promise<DnsZone | null>;
  /** ConflictError when the organization holds a zone of that name already. */
  create(zone: DnsZone): Promise<void>;
  /** Removes the zone and answers what it was; null when the organization held no such zone. */
  delete(organizationId: number, zoneName: string): Promise<DnsZone | null>;
}
