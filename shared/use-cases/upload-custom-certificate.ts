import type { Certificate } from '../domain/certificate.ts';
import { contentFields, newCertificate } from '../domain/certificate-content.ts';
import { newCertificateId } from '../domain/certificate-id.ts';
import { inspectCertificateBundle } from '../domain/certificate-inspection.ts';
import type { BundleInput, InspectedCertificate } from '../domain/certificate-inspection.ts';
import { checkedName } from '../domain/display-name.ts';
import type { Principal } from '../domain/organization.ts';
import type { CertificateApiDeps, CoreDeps } from './core-deps.ts';

export interface UploadInput extends BundleInput {
  name?: string | undefined;
}

export interface UploadOptions {
  requirePrivateKey: boolean;
  hostname?: string;
}

/** Organization and certificate are part of the name: the envelope key store binds the key's encryption to both. */
export const privateKeySecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, certificateId: string): string =>
  `${deps.secretPrefix}certificates/${organizationId}/${certificateId}/private-key`;

/** What a certificate is called when the upload names it not: its domain, else (a CA's) its subject, else its serial. */
export const defaultCertificateName = (inspected: Pick<InspectedCertificate, 'domainName' | 'subjectName' | 'serialNumber'>): string =>
  inspected.domainName || inspected.subjectName || `certificate ${inspected.serialNumber}`;

/**
 * Verifies an uploaded certificate and stores it: the key in the secret store, the rest in the table.
 * When the table write fails the key is removed again, so a rejected upload leaves nothing behind.
 */
export async function uploadCustomCertificate(
  deps: CertificateApiDeps,
  principal: Principal,
  input: UploadInput,
  options: UploadOptions,
): Promise<Certificate> {
  const now = deps.clock.now();
  const name = input.name === undefined ? undefined : checkedName(input.name);
  const inspected = inspectCertificateBundle(input, { now, ...options });
  const id = newCertificateId(now);
  const at = now.toISOString();
  const secretName = inspected.privateKeyPem ? privateKeySecretName(deps, principal.organizationId, id) : null;
  const certificate = newCertificate({
    id,
    organizationId: principal.organizationId,
    name: name ?? defaultCertificateName(inspected),
    domainName: inspected.domainName,
    sans: inspected.names.map((name) => ({ id: deps.newId(), name, dnsStatus: 'valid', sslStatus: 'covered' })),
    type: 'custom',
    content: contentFields(inspected),
    privateKeySecretName: secretName,
    autoRenew: false,
    lastAttempt: { id: deps.newId(), type: 'custom_import', status: 'succeeded', startedAt: at, finishedAt: at, error: null },
    at,
  });
  if (secretName && inspected.privateKeyPem) await deps.secrets.put(secretName, inspected.privateKeyPem);
  try {
    await deps.certificates.create(certificate);
  } catch (error) {
    if (secretName) await deps.secrets.delete(secretName, { withoutRecovery: true });
    throw error;
  }
  return certificate;
}
