import { X509Certificate } from 'node:crypto';

/** One DER element: its tag, and where its content starts and ends in the buffer. */
interface DerElement {
  tag: number;
  start: number;
  end: number;
}

function derAt(der: Buffer, offset: number): DerElement {
  const tag = der[offset] ?? 0;
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let index = 0; index < bytes; index += 1) length = length * 256 + (der[start + index] ?? 0);
    start += bytes;
  }
  return { tag, start, end: start + length };
}

function derChildren(der: Buffer, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const child = derAt(der, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** The Authority Key Identifier extension's OID, 2.5.29.35, as DER content bytes. */
const AKI_OID = Buffer.from([0x55, 0x1d, 0x23]);
const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OID = 0x06;
const OCTET_STRING = 0x04;
/** tbsCertificate's `extensions [3] EXPLICIT`, and AuthorityKeyIdentifier's `keyIdentifier [0] IMPLICIT`. */
const EXTENSIONS = 0xa3;
const KEY_IDENTIFIER = 0x80;

/**
 * The RFC 9773 certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial number), the serial as
 * the bytes of its DER INTEGER (a leading zero byte when the high bit is set). It names the certificate both in
 * `GET <renewalInfo>/<certID>` and in the `replaces` field of the order that renews it. Null when the certificate
 * has no Authority Key Identifier (then ARI cannot name it and the lifetime rule applies).
 */
export function ariCertificateId(certificatePem: string): string | null {
  // Read straight from the DER (node:crypto parses the PEM): two fields do not need an X.509 library in the bundle.
  const der = new X509Certificate(certificatePem).raw;
  const [tbs] = derChildren(der, derAt(der, 0));
  if (!tbs) return null;
  const fields = derChildren(der, tbs);
  // The serial is the first INTEGER (after the optional [0] version): its content bytes are exactly the DER's.
  const serial = fields.find((field) => field.tag === INTEGER);
  const extensions = fields.find((field) => field.tag === EXTENSIONS);
  const list = extensions ? derChildren(der, extensions)[0] : undefined;
  if (!serial || !list) return null;
  for (const extension of derChildren(der, list)) {
    const [oid, ...rest] = derChildren(der, extension);
    if (oid?.tag !== OID || !der.subarray(oid.start, oid.end).equals(AKI_OID)) continue;
    const value = rest.find((part) => part.tag === OCTET_STRING);
    const aki = value ? derAt(der, value.start) : undefined;
    if (aki?.tag !== SEQUENCE) return null;
    const keyId = derChildren(der, aki).find((part) => part.tag === KEY_IDENTIFIER);
    if (!keyId || keyId.end === keyId.start) return null;
    return `${der.subarray(keyId.start, keyId.end).toString('base64url')}.${der.subarray(serial.start, serial.end).toString('base64url')}`;
  }
  return null;
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
  /** Runs before the order without `replaces` when the CA refused it (that order counts against the CA's limits). */
  beforeFallback: () => Promise<void> = async () => undefined,
): Promise<{ order: T; replaced: boolean }> {
  if (!replaces) return { order: await createOrder({}), replaced: false };
  try {
    return { order: await createOrder({ replaces }), replaced: true };
  } catch (error) {
    if (!isAlreadyReplaced(error)) throw error;
    await beforeFallback();
    return { order: await createOrder({}), replaced: false };
  }
}
