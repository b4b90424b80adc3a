import { nameProblem } from '../domain/display-name.ts';
import type { DnsZone } from '../domain/dns-zone.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { ROLE_SCOPES } from '../domain/identity.ts';
import type { ApiToken, Organization } from '../domain/organization.ts';
import { displayPrefix, generateTokenValue, hashToken } from './api-tokens.ts';
import type { CoreDeps } from './core-deps.ts';
import { grantAccountZone, listDnsZones, removeDnsZone } from './dns-zones.ts';
import type { DnsZoneDeps } from './dns-zones.ts';

/**
 * What the deployment's operator does, above every organization: create, list, suspend and reinstate organizations,
 * hand an organization its first owner or admin token, and grant or withdraw zones of the deployment's own DNS.
 */
export type OperatorDeps = Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'newId'> & DnsZoneDeps;

export async function createOrganization(deps: OperatorDeps, name: string): Promise<Organization> {
  const problem = nameProblem(name.trim());
  if (problem) throw new ValidationError([{ field: 'name', message: `name ${problem}` }]);
  return deps.identity.createOrganization(name.trim(), deps.clock.now().toISOString());
}

export async function getOrganization(deps: Pick<CoreDeps, 'identity'>, id: number): Promise<Organization> {
  const organization = Number.isSafeInteger(id) && id > 0 ? await deps.identity.getOrganization(id) : null;
  if (!organization) throw new NotFoundError('Organization');
  return organization;
}

export const listOrganizations = (deps: Pick<CoreDeps, 'identity'>, page: number, itemsPerPage: number) =>
  deps.identity.listOrganizations((page - 1) * itemsPerPage, itemsPerPage);

/** Suspends (every credential of the organization stops at its next request) or reinstates it. */
export async function setSuspended(deps: OperatorDeps, id: number, suspended: boolean): Promise<Organization> {
  await getOrganization(deps, id);
  const organization = await deps.identity.setOrganizationSuspended(id, suspended ? deps.clock.now().toISOString() : null);
  if (!organization) throw new NotFoundError('Organization');
  return organization;
}

/**
 * An API token for the organization with an owner's or an admin's scopes, bound to no user (like the bootstrap token):
 * how the operator hands a new organization its first credential. The plaintext is returned once.
 */
export async function issueOrganizationToken(
  deps: OperatorDeps,
  organizationId: number,
  input: { role: 'owner' | 'admin'; name?: string | undefined },
): Promise<{ token: ApiToken; plaintext: string }> {
  await getOrganization(deps, organizationId);
  const name = input.name?.trim() || `${input.role} token issued by the operator`;
  const problem = nameProblem(name);
  if (problem) throw new ValidationError([{ field: 'name', message: `name ${problem}` }]);
  const plaintext = generateTokenValue();
  const token: ApiToken = {
    id: deps.newId(),
    organizationId,
    name,
    tokenHash: hashToken(plaintext),
    prefix: displayPrefix(plaintext),
    scopes: [...ROLE_SCOPES[input.role]],
    createdAt: deps.clock.now().toISOString(),
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ownerUserId: null,
  };
  await deps.identity.putToken(token);
  return { token, plaintext };
}

export async function listOrganizationZones(deps: OperatorDeps, organizationId: number): Promise<DnsZone[]> {
  await getOrganization(deps, organizationId);
  return listDnsZones(deps, organizationId);
}

export async function grantZone(deps: OperatorDeps, organizationId: number, input: { zoneName: string; providerOptions?: Record<string, string> | undefined }): Promise<DnsZone> {
  await getOrganization(deps, organizationId);
  return grantAccountZone(deps, organizationId, input);
}

export async function withdrawZone(deps: OperatorDeps, organizationId: number, zoneName: string): Promise<void> {
  await getOrganization(deps, organizationId);
  await removeDnsZone(deps, organizationId, zoneName, 'operator');
}
