import { x509 } from './x509.ts';

/**
 * The RFC 9773 certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial number), the serial as
 * the bytes of its DER INTEGER (a leading zero byte when the high bit is set). It names the certificate both in
 * `GET <renewalInfo>/<certID>` and in the `replaces` field of the order that renews it. Null when the certificate
 * has no Authority Key Identifier (then ARI cannot name it and the lifetime rule applies).
 */
export function ariCertificateId(certificatePem: string): string | null {
  const certificate = new x509.X509Certificate(certificatePem);
  const keyId = certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  if (!keyId) return null;
  // @peculiar/x509 gives the serial without its sign byte; put it back, as it is in the DER.
  let serial = Buffer.from(certificate.serialNumber.length % 2 ? `0${certificate.serialNumber}` : certificate.serialNumber, 'hex');
  if ((serial[0] ?? 0) > 0x7f) serial = Buffer.concat([Buffer.from([0]), serial]);
  return `${Buffer.from(keyId, 'hex').toString('base64url')}.${serial.toString('base64url')}`;
}

/** RFC 9773 section 7.4: the certificate named in `replaces` already has a replacement order. */
export const ALREADY_REPLACED = 'urn:ietf:params:acme:error:alreadyReplaced';

/**
 * Whether an order was refused because the certificate it `replaces` was already replaced. acme-client throws a
 * bare Error carrying only the problem's `detail`, so the detail's wording counts too (Boulder: "... which already
 * has a replacement order").
 */
export function isAlreadyReplaced(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const problem = error as { type?: unknown; message?: unknown; detail?: unknown };
  if (problem.type === ALREADY_REPLACED) return true;
  const text = `${String(problem.message ?? '')} ${String(problem.detail ?? '')}`;
  return /alreadyReplaced|already (been )?replaced|already has a replacement/i.test(text);
}

/**
 * Places a renewal order that names the certificate it replaces, so the CA counts it as a renewal (and exempts
 * it from some limits). When the CA answers that the certificate was already replaced (an earlier attempt whose
 * result we lost, say) the order is placed once more without `replaces`: the renewal goes on instead of failing
 * the same way on every retry.
 */
export async function createReplacementOrder<T>(
  createOrder: (extra: { replaces?: string }) => Promise<T>,
  replaces: string | null,
): Promise<{ order: T; replaced: boolean }> {
  if (!replaces) return { order: await createOrder({}), replaced: false };
  try {
    return { order: await createOrder({ replaces }), replaced: true };
  } catch (error) {
    if (!isAlreadyReplaced(error)) throw error;
    return { order: await createOrder({}), replaced: false };
  }
}
