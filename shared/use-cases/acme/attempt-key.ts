import type { CoreDeps } from '../core-deps.ts';
import type { AttemptIds } from './certificate-progress.ts';

/**
 * Each attempt's key has its own secret, so a renewal never overwrites the key the current certificate uses. The
 * organization is part of the name: the envelope key store binds the key's encryption to it.
 */
export const attemptKeySecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, ids: AttemptIds): string =>
  `${deps.secretPrefix}certificates/${ids.organizationId}/${ids.certificateId}/keys/${ids.attemptId}`;
