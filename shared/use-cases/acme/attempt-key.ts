import type { CoreDeps } from '../core-deps.ts';
import type { AttemptIds } from './certificate-progress.ts';

/** Each attempt's key has its own secret, so a renewal never overwrites the key the current certificate uses. */
export const attemptKeySecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, ids: AttemptIds): string =>
  `${deps.secretPrefix}certificates/${ids.certificateId}/keys/${ids.attemptId}`;
