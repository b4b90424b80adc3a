import type { Certificate } from './certificate.ts';
import type { InspectedCertificate } from './certificate-inspection.ts';

/**
 * The record fields that come from a certificate's own content. Upload, PATCH with new content and ACME finalize
 * all store a verified certificate the same way.
 */
export type ContentFields = Pick<
  Certificate,
  'status' | 'issuer' | 'serialNumber' | 'fingerprint' | 'notBefore' | 'notAfter' | 'keyType' | 'keySize' | 'certificateData' | 'chainData'
>;

export function contentFields(inspected: InspectedCertificate): ContentFields {
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

/** The content fields of a certificate still to be issued: pending, with only the key it will have. */
export const pendingContent = (keyType: Certificate['keyType'], keySize: Certificate['keySize']): ContentFields => ({
  status: 'pending',
  issuer: null,
  serialNumber: null,
  fingerprint: null,
  notBefore: null,
  notAfter: null,
  keyType,
  keySize,
  certificateData: null,
  chainData: null,
});

/**
 * A certificate record as it is first stored, by an upload or by an ACME order alike: its first attempt counted,
 * version 1, created and updated `at`, no renewal planned yet.
 */
export const newCertificate = (
  fields: Pick<
    Certificate,
    'id' | 'organizationId' | 'name' | 'domainName' | 'sans' | 'type' | 'privateKeySecretName' | 'autoRenew' | 'reusePrivateKey' | 'lastAttempt'
  > & { content: ContentFields; at: string },
): Certificate => {
  const { content, at, ...identity } = fields;
  return { ...identity, ...content, renewAt: null, attemptCount: 1, createdAt: at, updatedAt: at, version: 1 };
};
