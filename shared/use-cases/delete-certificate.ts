import { activationChange, projectScope } from '../domain/activation.ts';
import type { Certificate } from '../domain/certificate.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import { attemptKeySecretName } from './acme/attempt-key.ts';
import type { CoreDeps } from './core-deps.ts';

type DeleteDeps = Pick<CoreDeps, 'certificates' | 'secrets' | 'activations' | 'projects' | 'clock' | 'secretPrefix'>;

const ATTEMPTS = 3;

/**
 * Where the certificate is still active, in words. Activations left behind by a project that has since been
 * deleted cannot be switched off through the API any more, so they are released here instead of blocking.
 */
async function activeScopes(deps: DeleteDeps, principal: Principal, id: string): Promise<string[]> {
  const where: string[] = [];
  for (const scope of await deps.activations.scopesOf(id)) {
    if (scope.type === 'organization') where.push('the organization');
    else if (await deps.projects.get(principal.organizationId, scope.projectId)) where.push(`project ${scope.projectId}`);
    else {
      const change = activationChange([id], new Set([id]), false, deps.clock.now().toISOString());
      await deps.activations.apply(principal.organizationId, projectScope(scope.projectId), change);
    }
  }
  return where;
}

export interface DeleteOptions {
  /**
   * Revokes the certificate at its CA before anything is deleted (`?revoke=true`); a failure stops the delete.
   * Not called for a certificate that is revoked already.
   */
  revokeFirst?: (certificate: Certificate) => Promise<unknown>;
}

/**
 * Deletes a certificate of the caller's organization: the record first (one transaction that also uncounts it
 * and is refused with 409 while the certificate is active anywhere), then its private key's secret. Every
 * dialect's delete goes through here. An auto-managed certificate's renewals end with its record (the renewal
 * index entry is an attribute of it). The key of an attempt still under way goes too: its execution may be gone
 * (a crash), and then nothing else would remove it; one still running fails at its next step and removes what it
 * wrote after this.
 */
export async function deleteCertificate(
  deps: DeleteDeps,
  principal: Principal,
  id: string,
  options: DeleteOptions = {},
): Promise<Certificate> {
  let certificate = await deps.certificates.get(principal.organizationId, id);
  if (!certificate) throw new NotFoundError('Certificate');
  if (options.revokeFirst && certificate.status !== 'revoked') {
    await options.revokeFirst(certificate);
    certificate = (await deps.certificates.get(principal.organizationId, id)) ?? certificate;
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deps.certificates.delete(principal.organizationId, id, certificate.version);
      break;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      if (!error.retryable) {
        const where = await activeScopes(deps, principal, id);
        if (where.length > 0) {
          throw new ConflictError(`The certificate is active for ${where.join(' and ')}; deactivate it there before deleting it`, {
            cause: error,
          });
        }
      }
      // Changed meanwhile (a PATCH may have replaced the key): read it again, so the secret deleted below is the
      // one the removed record names and none is left behind.
      const current = await deps.certificates.get(principal.organizationId, id);
      if (!current) throw new NotFoundError('Certificate');
      certificate = current;
    }
  }
  // Only after the record is gone: a refused delete must keep the key. The secret keeps its recovery window.
  if (certificate.privateKeySecretName) await deps.secrets.delete(certificate.privateKeySecretName);
  const attempt = certificate.lastAttempt;
  if (attempt && (attempt.status === 'pending' || attempt.status === 'running')) {
    const attemptKey = attemptKeySecretName(deps, {
      certificateId: certificate.id,
      organizationId: certificate.organizationId,
      attemptId: attempt.id,
    });
    // Never referenced by a record: no recovery window needed.
    if (attemptKey !== certificate.privateKeySecretName) await deps.secrets.delete(attemptKey, { withoutRecovery: true });
  }
  return certificate;
}
