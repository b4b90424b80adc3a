import type { Certificate } from '../domain/certificate.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import type { CoreDeps } from './core-deps.ts';

const ATTEMPTS = 3;

/**
 * Gives a certificate a new name. A name has no read-modify-write hazard of its own, so a version conflict with
 * another writer is retried on the fresh record instead of being handed to the caller.
 */
export async function renameCertificate(
  deps: Pick<CoreDeps, 'certificates' | 'clock'>,
  principal: Principal,
  id: string,
  name: string,
): Promise<Certificate> {
  for (let attempt = 1; ; attempt += 1) {
    const certificate = await deps.certificates.get(principal.organizationId, id);
    if (!certificate) throw new NotFoundError('Certificate');
    if (certificate.name === name) return certificate;
    try {
      return await deps.certificates.update({ ...certificate, name, updatedAt: deps.clock.now().toISOString() }, certificate.version);
    } catch (error) {
      if (error instanceof ConflictError && attempt < ATTEMPTS) continue;
      throw error;
    }
  }
}
