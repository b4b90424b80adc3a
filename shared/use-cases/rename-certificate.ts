import type { Certificate } from '../domain/certificate.ts';
import { CertwrightError, ConflictError, NotFoundError } from '../domain/errors.ts';
import { checkedName } from '../domain/display-name.ts';
import type { Principal } from '../domain/organization.ts';
import type { CoreDeps } from './core-deps.ts';

const ATTEMPTS = 3;

const stale = () =>
  new CertwrightError('precondition_failed', 'The certificate has changed since the ETag given in If-Match; fetch it again and retry');

/**
 * Gives a certificate a new name. A name has no read-modify-write hazard of its own, so a version conflict with
 * another writer is retried on the fresh record, unless the caller named the version it expects (If-Match):
 * then any other version is a 412.
 */
export async function renameCertificate(
  deps: Pick<CoreDeps, 'certificates' | 'clock'>,
  principal: Principal,
  id: string,
  name: string,
  expectedVersion?: number,
): Promise<Certificate> {
  name = checkedName(name);
  for (let attempt = 1; ; attempt += 1) {
    const certificate = await deps.certificates.get(principal.organizationId, id);
    if (!certificate) throw new NotFoundError('Certificate');
    if (expectedVersion !== undefined && certificate.version !== expectedVersion) throw stale();
    if (certificate.name === name) return certificate;
    try {
      return await deps.certificates.update({ ...certificate, name, updatedAt: deps.clock.now().toISOString() }, certificate.version);
    } catch (error) {
      if (error instanceof ConflictError && expectedVersion !== undefined) throw stale();
      if (error instanceof ConflictError && attempt < ATTEMPTS) continue;
      throw error;
    }
  }
}
