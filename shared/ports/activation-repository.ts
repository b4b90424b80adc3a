import type { ActivationChange, ActivationScope } from '../domain/activation.ts';

/** Which certificates are active where. */
export interface ActivationRepository {
  /** The ids among `certificateIds` that are active at `scope`. */
  activeAmong(scope: ActivationScope, certificateIds: readonly string[]): Promise<Set<string>>;
  /** Every id active at `scope`, in one read that does not depend on which certificates are asked about. */
  activeIn(organizationId: number, scope: ActivationScope): Promise<Set<string>>;
  /** Every scope at which the certificate is active. */
  scopesOf(certificateId: string): Promise<ActivationScope[]>;
  /**
   * Applies every change of one call at once, or none. Each activated certificate must still exist in the
   * organization, and every id of the change, the unchanged ones too, must still be as the caller read it; when a
   * certificate is gone, or a concurrent call switched any id of the batch first, nothing is written and a
   * retryable ConflictError is thrown, so the caller can read again and recompute the change.
   */
  apply(organizationId: number, scope: ActivationScope, change: ActivationChange): Promise<void>;
}
