/**
 * Where a certificate is switched on: for the whole organization, or for one project. Activation is a switch,
 * not a copy: the certificate stays one record and can be active at several scopes at once.
 */
export type ActivationScope = { type: 'organization' } | { type: 'project'; projectId: string };

export const organizationScope: ActivationScope = { type: 'organization' };

export const projectScope = (projectId: string): ActivationScope => ({ type: 'project', projectId });

/** The changes one activate or deactivate call makes; ids that are already in the wanted state are left out. */
export interface ActivationChange {
  activate: readonly string[];
  deactivate: readonly string[];
  /** When the change is made, ISO 8601. */
  at: string;
}

/** At most this many certificates per activate or deactivate call, as the admin API documents. */
export const MAX_ACTIVATION_BATCH = 10;
