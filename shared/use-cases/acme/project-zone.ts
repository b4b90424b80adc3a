import type { CoreDeps } from '../core-deps.ts';

/** Where the DNS provider credentials of a projects obtain are kept: under their organization, one per project. */
const projectCredentialsPrefix = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number): string =>
  `${deps.secretPrefix}dns-credentials/${organizationId}/projects/`;

/** The secret of a project's own DNS credentials: their own sub-prefix, so only the steps that use them may read them. */
export const dnsCredentialsSecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, projectId: string): string =>
  `${projectCredentialsPrefix(deps, organizationId)}${projectId}`;

/**
 * Whether a zone of an attempt is a project's own (made by a projects obtain with `dnsCredentials`): it is not in the
 * organization's zone list, and stays the organization's as long as its project does (deleting the project deletes its
 * credentials). Its secret name is made by certwright, never taken from a request.
 */
export const isProjectZone = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, zone: { credentialsSecretName: string | null }): boolean =>
  zone.credentialsSecretName?.startsWith(projectCredentialsPrefix(deps, organizationId)) ?? false;

/** The id of the project whose own zone this is (see isProjectZone), or null for a zone of the organization's list. */
export const projectOfZone = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, zone: { credentialsSecretName: string | null }): string | null =>
  isProjectZone(deps, organizationId, zone) ? (zone.credentialsSecretName ?? '').slice(projectCredentialsPrefix(deps, organizationId).length) : null;
