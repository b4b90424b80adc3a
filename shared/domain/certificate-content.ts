import type { Certificate } from './certificate.ts';
import type { InspectedCertificate } from './certificate-inspection.ts';

/**
 * The record fields that come from a certificate's own content. Upload, PATCH with new content and ACME finalize
 * all store a verified certificate the same way.
 */
export function contentFields(
  inspected: InspectedCertificate,
): Pick<Certificate, 'status' | 'issuer' | 'serialNumber' | 'fingerprint' | 'notBefore' | 'notAfter' | 'keyType' | 'keySize' | 'certificateData' | 'chainData'> {
  return {
    status: 'active',
    issuer: inspected.issuer,
    serialNumber: inspected.serialNumber,
    fingerprint: inspected.fingerprint,
    notBefore: inspected.notBefore.toISOString(),
    notAfter: inspected.notAfter.toISOString(),
    keyType: inspected.keyType,
    keySize: inspected.keySize,
    certificateData: inspected.certificatePem,
    chainData: inspected.chainPem,
  };
}
