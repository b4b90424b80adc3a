import type { ChallengeType } from '../domain/acme.ts';

/** An ACME account as each step rebuilds it: the key comes from the secret store, never from the workflow state. */
export interface AcmeAccountSession {
  directoryUrl: string;
  accountKeyPem: string;
  /** Null only while registering. */
  accountUrl: string | null;
  /**
   * The CA's last unused Replay-Nonce (RFC 8555 section 6.5): the next signed request uses it instead of asking
   * newNonce, and the adapter puts each answer's nonce here. A nonce is no secret (single use, sent in the clear),
   * so a step hands it to the next one in the workflow state; a stale one costs one badNonce round trip.
   */
  nonce?: string | null;
}

export interface AcmeDirectoryInfo {
  /** Profile names the CA offers (draft-aaron-acme-profiles); empty when it offers none. */
  profiles: string[];
  externalAccountRequired: boolean;
}

export interface AcmeChallenge {
  type: string;
  url: string;
  token: string;
  status: string;
  /** The CA's reason when the challenge became invalid. */
  errorDetail: string | null;
}

export interface AcmeAuthorization {
  url: string;
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
  identifier: string;
  wildcard: boolean;
  challenges: AcmeChallenge[];
}

export interface AcmeOrder {
  url: string;
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
  authorizations: string[];
  finalize: string;
  certificate: string | null;
  errorDetail: string | null;
}

/**
 * An RFC 8555 CA, one request per call (no internal waiting or retrying: the workflow waits and retries).
 * Failures are StepErrors whose names say whether another try is worth it.
 */
export interface AcmeCa {
  directory(directoryUrl: string): Promise<AcmeDirectoryInfo>;
  /** Registers (or finds) the account for this key; returns its URL. */
  registerAccount(
    session: AcmeAccountSession,
    input: { email: string | null; externalAccountBinding: { kid: string; hmacKey: string } | null },
  ): Promise<string>;
  /** `replaces`: the RFC 9773 certificate ID of the certificate a renewal replaces. */
  createOrder(session: AcmeAccountSession, input: { identifiers: string[]; profile: string | null; replaces?: string }): Promise<AcmeOrder>;
  getOrder(session: AcmeAccountSession, orderUrl: string): Promise<AcmeOrder>;
  getAuthorization(session: AcmeAccountSession, url: string): Promise<AcmeAuthorization>;
  /** The value to publish: the key authorization for http-01, its SHA-256 digest for dns-01. */
  challengeValue(session: AcmeAccountSession, type: ChallengeType, token: string): Promise<string>;
  /** Tells the CA the challenge is ready to be validated. */
  completeChallenge(session: AcmeAccountSession, challengeUrl: string): Promise<void>;
  /** A new certificate key (PKCS#8 PEM): RSA of `keySize` bits, or ECDSA P-256 / P-384. */
  generateKey(keyType: 'rsa' | 'ec', keySize: number): string;
  /** The CSR (PEM) for these names, signed with the key; no common name when it would not fit (64 characters). */
  createCsr(keyPem: string, names: { commonName: string | null; altNames: string[] }): Promise<string>;
  finalize(session: AcmeAccountSession, order: { url: string; finalize: string }, csrPem: string): Promise<AcmeOrder>;
  /** The PEM chain, leaf first. */
  downloadCertificate(session: AcmeAccountSession, certificateUrl: string): Promise<string>;
  /**
   * RFC 8555 section 7.6 revokeCert, signed with the account that ordered the certificate; `reason` is an RFC 5280
   * CRLReason code. `already_revoked` when the CA answers `alreadyRevoked`.
   */
  revokeCertificate(session: AcmeAccountSession, certificatePem: string, reason: number): Promise<'revoked' | 'already_revoked'>;
}
