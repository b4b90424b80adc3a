import { daysToExpiry } from './renewal.ts';

/** EventBridge detail-types, in the spirit of ACM's own certificate events. */
export const CERTIFICATE_EVENT_TYPES = [
  'Certificate Issued',
  'Certificate Renewed',
  'Certificate Renewal Failed',
  'Certificate Approaching Expiration',
  'Certificate Expired',
  'Certificate Revoked',
] as const;
export type CertificateEventType = (typeof CERTIFICATE_EVENT_TYPES)[number];

/** The `source` of every certwright event; rules match on it. */
export const EVENT_SOURCE = 'certwright';

/** What an event says about a certificate: names and dates only, never key material or credentials. */
export interface CertificateEventDetail {
  organizationId: number;
  certificateId: string;
  domainName: string;
  /** Whole days left (negative once expired); null when the certificate has no end date yet. */
  daysToExpiry: number | null;
  notAfter: string | null;
  /** Renewal failures: the CA's or the workflow's reason, as shown in lastAttempt. */
  error?: string;
  /** Renewals: the certificate serial that was replaced. */
  renewedFrom?: string | null;
  /** Revocations: the RFC 5280 reason given to the CA (`unspecified`, `keyCompromise`, `superseded`...). */
  revocationReason?: string;
}

export interface CertificateEvent {
  detailType: CertificateEventType;
  time: Date;
  detail: CertificateEventDetail;
}

/** Builds an event from a certificate as it is now. */
export function certificateEvent(
  detailType: CertificateEventType,
  certificate: { id: string; organizationId: number; domainName: string; notAfter: string | null },
  now: Date,
  extra: Pick<CertificateEventDetail, 'error' | 'renewedFrom' | 'revocationReason'> = {},
): CertificateEvent {
  return {
    detailType,
    time: now,
    detail: {
      organizationId: certificate.organizationId,
      certificateId: certificate.id,
      domainName: certificate.domainName,
      daysToExpiry: certificate.notAfter ? daysToExpiry(new Date(certificate.notAfter), now) : null,
      notAfter: certificate.notAfter,
      ...extra,
    },
  };
}
