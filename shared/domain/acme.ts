import { CertwrightError } from './errors.ts';
import type { KeyType } from './certificate.ts';
import type { IssuanceZone } from './dns-zone.ts';

/** RFC 8555 challenge types certwright solves. */
export type ChallengeType = 'dns-01' | 'http-01';

/** A DNS provider's settings, by its own names; the core passes them on without reading them. */
export type ProviderOptions = Readonly<Record<string, string>>;

/** How an auto-managed certificate is obtained; stored on the attempt, read by every workflow step. */
export interface IssuanceSettings {
  directoryUrl: string;
  email: string | null;
  challengeType: ChallengeType;
  /** dns-01: the provider of the (first) zone the names are in (see docs/dns-providers.md). */
  dnsProvider: string | null;
  /**
   * dns-01: the organization's zones the challenge records land in, each with its provider, provider options and the
   * name of its credentials secret (never the credentials). Absent in settings stored before zones existed.
   */
  dnsZones?: IssuanceZone[] | undefined;
  /**
   * Settings stored before zones existed: the options of `dnsProvider` (the repository reads older pinned-zone fields
   * into them). New settings carry options in `dnsZones`.
   */
  providerOptions?: ProviderOptions | null | undefined;
  keyType: 'rsa' | 'ec';
  /** RSA: 2048 | 4096 bits; EC: 256 | 384 (P-256, P-384). */
  keySize: number;
  /** An ACME profile (draft-aaron-acme-profiles) passed on the new order. */
  profile: string | null;
}

/** One authorization of an order as the workflow carries it: URLs and public names only. */
export interface AuthorizationRef {
  url: string;
  identifier: string;
  wildcard: boolean;
  challengeType: ChallengeType;
  challengeUrl: string;
}

/** The ACME state passed from step to step (RFC 8555 objects by URL). */
export interface AcmeOrderRef {
  directoryUrl: string;
  /** Which of the organization's accounts at the CA placed the order (every step uses it); absent in older executions: 0. */
  accountNumber?: number;
  accountUrl: string;
  orderUrl: string;
  finalizeUrl: string;
  /** ISO time after which the attempt gives up. */
  deadline: string;
  /** The attempt's settings without the contact address, so the steps need not read them again. */
  settings: Omit<IssuanceSettings, 'email'>;
  authorizations: AuthorizationRef[];
  /**
   * The certificate's SAN names in stored order (public: they are what the order asks for), so a step can write a
   * SAN's status by position without reading the certificate first. Absent in executions started before it existed.
   */
  sanNames?: string[] | undefined;
  /** The CA's last unused Replay-Nonce, for the next step's first request (no secret: single use, sent in the clear). */
  nonce: string | null;
}

/** A challenge's published value, kept in the table while the attempt runs. */
export interface ChallengeRecord {
  token: string;
  attemptId: string;
  certificateId: string;
  organizationId: number;
  identifier: string;
  type: ChallengeType;
  /** dns-01: `_acme-challenge.<name>`; http-01: null. */
  recordName: string | null;
  /** dns-01: the TXT value; http-01: the key authorization served at /.well-known/acme-challenge/<token>. */
  value: string;
  /** dns-01: the DNS provider that holds the value, with its options and credentials, so clean-up removes it there. */
  dnsProvider: string | null;
  /** dns-01: the zone the value was written to, with what its provider needs to remove it again (no credentials). */
  zoneName?: string | null | undefined;
  providerOptions?: ProviderOptions | null | undefined;
  credentialsSecretName?: string | null | undefined;
  createdAt: string;
}

export const LETS_ENCRYPT = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

/** The RFC 8555 section 8.4 record name; a wildcard is validated on its base name. */
export const challengeRecordName = (identifier: string): string => `_acme-challenge.${identifier.replace(/^\*\./, '')}`;

const KEY_SIZES: Record<'rsa' | 'ec', readonly number[]> = { rsa: [2048, 4096], ec: [256, 384] };

/** Checks a requested key; EC sizes may be given as P-256/P-384 too. */
export function normalizeKeySpec(
  keyType: KeyType | undefined,
  keySize: number | string | undefined,
): { keyType: 'rsa' | 'ec'; keySize: number } {
  const type = keyType ?? 'rsa';
  if (type !== 'rsa' && type !== 'ec') throw new CertwrightError('bad_request', 'keyType must be rsa or ec');
  const size =
    keySize === undefined ? (type === 'rsa' ? 2048 : 256) : typeof keySize === 'string' ? Number(keySize.replace(/^P-/i, '')) : keySize;
  if (!KEY_SIZES[type].includes(size)) {
    throw new CertwrightError(
      'bad_request',
      type === 'rsa' ? 'keySize must be 2048 or 4096 for RSA keys' : 'keySize must be P-256 or P-384 (256 or 384) for EC keys',
    );
  }
  return { keyType: type, keySize: size };
}
