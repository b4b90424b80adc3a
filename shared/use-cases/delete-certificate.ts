import type { Certificate } from '../domain/certificate.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import type { CoreDeps } from './core-deps.ts';

/**
 * Deletes a certificate of the caller's organization: the record first (one transaction that also uncounts it
 * and is refused with 409 while the certificate is active anywhere), then its private key's secret. Every
 * dialect's delete goes through here.
 */
export async function deleteCertificate(
  deps: Pick<CoreDeps, 'certificates' | 'secrets'>,
  principal: Principal,
  id: string,
): Promise<Certificate> {
  const certificate = await deps.certificates.get(principal.organizationId, id);
  if (!certificate) throw new NotFoundError('Certificate');
  await deps.certificates.delete(principal.organizationId, id);
  // Only after the record is gone: a refused delete must keep the key. The secret keeps its recovery window.
  if (certificate.privateKeySecretName) await deps.secrets.delete(certificate.privateKeySecretName);
  return certificate;
}
