import type { SuggestedWindow } from '../domain/renewal.ts';

/** A CA's renewal advice for one certificate (RFC 9773 RenewalInfo). */
export interface RenewalInfo {
  suggestedWindow: SuggestedWindow;
  /** Why the CA wants an early renewal, when it says; for the person reading the certificate. */
  explanationUrl: string | null;
  /** When to ask again: the answer's Retry-After, kept between one minute and one day. */
  checkAgainAt: Date;
}

/** Asks the CA when to renew (ACME Renewal Information). */
export interface RenewalInfoClient {
  /**
   * The CA's advice, or null when it has none to give: its directory has no `renewalInfo`, the certificate has no
   * Authority Key Identifier, the CA does not know the certificate, or its answer is invalid. Null means "use the
   * lifetime rule". A CA that cannot be reached throws a retryable error.
   */
  renewalInfo(directoryUrl: string, certificatePem: string): Promise<RenewalInfo | null>;
}
