/** The platform dialect's certificate resource, as far as the CLI reads it. */
export interface CertificateResource {
  id: string;
  name: string;
  domainName: string;
  type: 'auto_managed' | 'custom';
  status: 'pending' | 'issuing' | 'active' | 'failed' | 'revoked' | 'expired';
  certificateData: string | null;
  chainData: string | null;
  privateKeyData?: string | null;
  expiresAt: string | null;
  notBefore: string | null;
  issuer: string | null;
  serialNumber: string | null;
  fingerprint: string | null;
  keyType: string | null;
  keySize: number | null;
  autoRenew: boolean;
  renewalPausedReason: string | null;
  sans: { name: string; dnsStatus: 'pending' | 'valid' | 'invalid'; sslStatus: 'pending' | 'covered' | 'not_covered' }[];
  lastAttempt: AttemptResource | null;
  createdAt: string;
  updatedAt: string;
}

export interface AttemptResource {
  id: string;
  type: 'custom_import' | 'acme_issue' | 'acme_renew' | 'acme_revoke';
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  error?: string;
  /** ACME attempts: per name, when it reached each stage (null: not yet, or skipped); absent from older APIs. */
  progress?: NameProgress[];
}

/** One name's `lastAttempt.progress` entry. */
export interface NameProgress {
  name: string;
  orderedAt: string | null;
  challengePresentedAt: string | null;
  propagatedAt: string | null;
  validatedAt: string | null;
  finalizedAt: string | null;
  storedAt: string | null;
}

/** The names a certificate covers: its SANs, or its domain name before it has any. */
export const namesOf = (certificate: Pick<CertificateResource, 'sans' | 'domainName'>): string[] =>
  certificate.sans.length > 0 ? certificate.sans.map((san) => san.name) : [certificate.domainName];

/** A resource without `privateKeyData`, whatever the reply held: what `--json` may print. */
export function withoutKey(certificate: CertificateResource): Omit<CertificateResource, 'privateKeyData'> {
  const copy: CertificateResource = { ...certificate };
  delete copy.privateKeyData;
  return copy;
}
