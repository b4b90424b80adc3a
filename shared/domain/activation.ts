/**
 * Where a certificate is switched on: for the whole organization, or for one project. Activation is a switch,
 * not a copy: the certificate stays one record and can be active at several scopes at once.
 */
export type ActivationScope = { type: 'organization' } | { type: 'project'; projectId: string };

export const organizationScope: ActivationScope = { type: 'organization' };

export const projectScope = (projectId: string): ActivationScope => ({ type: 'project', projectId });

/**
 * What one activate or deactivate call writes. It names every id of the call: the ids that switch, and the ids
 * already in the wanted state, which the write checks are still in it. So a call commits only if no other call
 * switched any id of its batch since it read them: two batches over the same ids end all one way or all the
 * other (whichever committed last), never mixed, and an idempotent call that switches nothing is ordered too.
 */
export interface ActivationChange {
  /** On (activate) or off (deactivate): where every id of the call ends. */
  active: boolean;
  /** Ids that switch. */
  switching: readonly string[];
  /** Ids already in the wanted state; they are checked, not written. */
  unchanged: readonly string[];
  /** When the change is made, ISO 8601. */
  at: string;
}

/** The change that brings every id of `ids` to `active`, given which of them are active now. */
export function activationChange(ids: readonly string[], activeNow: ReadonlySet<string>, active: boolean, at: string): ActivationChange {
  return {
    active,
    switching: ids.filter((id) => activeNow.has(id) !== active),
    unchanged: ids.filter((id) => activeNow.has(id) === active),
    at,
  };
}

/** At most this many certificates per activate or deactivate call, as the admin API documents. */
export const MAX_ACTIVATION_BATCH = 10;
