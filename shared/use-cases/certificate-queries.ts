import type { Certificate } from '../domain/certificate.ts';
import { CertwrightError, NotFoundError } from '../domain/errors.ts';
import type { CertificatePage } from '../ports/certificate-repository.ts';
import type { CertificateApiDeps } from './core-deps.ts';

export async function getCertificate(deps: CertificateApiDeps, organizationId: number, id: string): Promise<Certificate> {
  const certificate = await deps.certificates.get(organizationId, id);
  if (!certificate) throw new NotFoundError('Certificate');
  return certificate;
}

export function listCertificates(deps: CertificateApiDeps, organizationId: number, page: number, itemsPerPage: number): Promise<CertificatePage> {
  return deps.certificates.listPage(organizationId, (page - 1) * itemsPerPage, itemsPerPage);
}

/** The certificate's private key PEM; callers check the export scope first. */
export async function readPrivateKey(deps: CertificateApiDeps, certificate: Certificate): Promise<string | null> {
  if (!certificate.privateKeySecretName) return null;
  const value = await deps.secrets.get(certificate.privateKeySecretName);
  if (value === null) throw new CertwrightError('internal', `Private key secret of certificate ${certificate.id} is missing`);
  return value;
}
