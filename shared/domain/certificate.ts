import type { AttemptProgress } from './attempt-progress.ts';
import type { RenewalState } from './renewal.ts';

export type CertificateType = 'auto_managed' | 'custom';
export type CertificateStatus = 'pending' | 'issuing' | 'active' | 'failed' | 'expired' | 'revoked';
export type KeyType = 'rsa' | 'ec' | 'ed25519';
export type DnsStatus = 'pending' | 'valid' | 'invalid';
export type SslStatus = 'pending' | 'covered' | 'not_covered';
export type AttemptType = 'custom_import' | 'acme_issue' | 'acme_renew' | 'acme_revoke';
export type AttemptStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface San {
  id: string;
  name: string;
  dnsStatus: DnsStatus;
  sslStatus: SslStatus;
}

export interface Attempt {
  id: string;
  type: AttemptType;
  status: AttemptStatus;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** ACME attempts: the stages reached so far, recorded by the workflow steps; absent before the first step. */
  progress?: AttemptProgress;
  /**
   * ACME attempts: which of the organization's ACME accounts at the CA places the order (0: its first), chosen with
   * the order budget by the planner or the API; every step of the attempt uses it. Absent: the account that issued
   * the certificate (a renewal the CA does not count), else the first.
   */
  accountNumber?: number;
  /** False when the order was taken from no budget (a renewal the CA does not count, as it carries `replaces`). */
  orderCounted?: boolean;
}

/** One certificate record; the private key lives in the secret store, referenced by name only. */
export interface Certificate {
  id: string;
  organizationId: number;
  name: string;
  domainName: string;
  sans: San[];
  type: CertificateType;
  status: CertificateStatus;
  issuer: string | null;
  serialNumber: string | null;
  fingerprint: string | null;
  notBefore: string | null;
  notAfter: string | null;
  keyType: KeyType | null;
  keySize: number | null;
  certificateData: string | null;
  chainData: string | null;
  privateKeySecretName: string | null;
  autoRenew: boolean;
  /**
   * Renewals keep the current key instead of generating a new one (cert-manager's `rotationPolicy: Never`,
   * lego's `--reuse-key`); absent on records stored before the setting existed, which means false.
   */
  reusePrivateKey?: boolean;
  renewAt: string | null;
  /** Renewal bookkeeping (consecutive failures, why renewal stopped, the CA's ARI window); absent until needed. */
  renewal?: RenewalState;
  lastAttempt: Attempt | null;
  /**
   * The latest `acme_renew` attempt, kept when an attempt of another type (a revocation, an import, obtaining
   * again) takes `lastAttempt`'s place, so the last renewal stays visible; see {@link replaceAttempt}.
   */
  lastRenewal?: Attempt | null;
  /** Which of the organization's ACME accounts at the CA issued the current certificate (revocation uses it); absent: 0. */
  accountNumber?: number;
  attemptCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * The fields of a certificate whose `lastAttempt` becomes `attempt`: a renewal being replaced by an attempt of
 * another type moves to `lastRenewal`, so "when did it last try to renew" survives a revocation.
 */
export function replaceAttempt(current: Certificate, attempt: Attempt): Pick<Certificate, 'lastAttempt' | 'lastRenewal'> {
  const previous = current.lastAttempt;
  const lastRenewal = previous?.type === 'acme_renew' && attempt.type !== 'acme_renew' ? previous : (current.lastRenewal ?? null);
  return { lastAttempt: attempt, lastRenewal };
}
