import type { RenewalInfo, RenewalInfoClient } from '../ports/renewal-info.ts';

/**
 * The CA's renewal advice for a certificate just issued (RFC 9773 asks clients to fetch it right after issuance),
 * or null: no ARI client wired, a CA without `renewalInfo`, or a CA that cannot be reached now. Never throws, so
 * storing a certificate never fails for want of advice; the lifetime rule applies instead.
 */
export async function renewalAdvice(
  deps: { renewalInfo?: RenewalInfoClient | undefined },
  directoryUrl: string,
  certificatePem: string,
): Promise<RenewalInfo | null> {
  if (!deps.renewalInfo) return null;
  try {
    return await deps.renewalInfo.renewalInfo(directoryUrl, certificatePem);
  } catch {
    return null;
  }
}
