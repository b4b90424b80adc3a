import type { Certificate, SslStatus } from './certificate.ts';
import { namesCover } from './hostname.ts';

/** A hostname served with one certificate of the organization. */
export interface HostnameMapping {
  organizationId: number;
  /** Lowercase, without a trailing dot; unique within the organization. */
  hostname: string;
  certificateId: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * Whether the mapped certificate serves the hostname, judged from the certificate as it is now, so a patched
 * or renewed certificate shows at once: `not_covered` when it is gone or none of its names covers the hostname,
 * `pending` while a certificate that will cover it has not been issued yet.
 */
export function mappingSslStatus(certificate: Certificate | null, hostname: string): SslStatus {
  if (!certificate) return 'not_covered';
  // A certificate still being obtained already knows the names it will carry.
  const names = certificate.sans.length > 0 ? certificate.sans.map((san) => san.name) : [certificate.domainName];
  if (!namesCover(names, hostname)) return 'not_covered';
  return certificate.certificateData ? 'covered' : 'pending';
}

export { normalizeHostname } from './hostname.ts';
