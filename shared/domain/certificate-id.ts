import { v7 } from 'uuid';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * A new certificate's id: a UUIDv7 (RFC 9562) whose timestamp is the certificate's creation time to the
 * millisecond, so an id given as a cursor tells where a list sorted by creation resumes.
 */
export const newCertificateId = (createdAt: Date): string => v7({ msecs: createdAt.getTime() });

/** The creation time (ISO 8601) a certificate id carries, or null for an id that is not a UUIDv7 (older ones are random). */
export function createdAtOf(id: string): string | null {
  if (!UUID_V7.test(id)) return null;
  return new Date(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toISOString();
}
