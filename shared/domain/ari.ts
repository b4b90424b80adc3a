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
