import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/domain/errors.ts';
import { ROLE_SCOPES } from '../../shared/domain/identity.ts';
import type { Role, User } from '../../shared/domain/identity.ts';
import type { Principal } from '../../shared/domain/organization.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { changeRole, removeUser } from '../../shared/use-cases/manage-users.ts';
import { renewalTable } from '../support/renewal-fixtures.ts';

/** A new organization with two owners, on DynamoDB Local; the principal is a token with every scope. */
async function organizationWithTwoOwners() {
  const table = await renewalTable();
  const at = new Date().toISOString();
  const organization = await table.identity.createOrganization('Two owners', at);
  const owner = (): User => ({
    id: randomUUID(),
    organizationId: organization.id,
    email: `${randomUUID()}@example.test`,
    role: 'owner',
    createdAt: at,
    updatedAt: at,
    tokensValidAfter: at,
  });
  const owners = [owner(), owner()] as const;
  for (const user of owners) await table.identity.createUser(user, 'not a real hash');
  const deps = { identity: table.identity, clock: { now: () => new Date() } } as unknown as CoreDeps;
  const principal: Principal = { organizationId: organization.id, subject: 'token:test', scopes: [...ROLE_SCOPES.owner] };
  const ownersLeft = async () => (await table.identity.listUsers(organization.id)).filter((user) => user.role === ('owner' satisfies Role));
  return { deps, principal, owners, ownersLeft };
}

describe('the last owner', () => {
  it('stays when the only two owners demote each other at the same moment: one change goes through, the other is a 409', async () => {
    const { deps, principal, owners, ownersLeft } = await organizationWithTwoOwners();

    const outcomes = await Promise.allSettled(owners.map((owner) => changeRole(deps, principal, owner.id, 'admin')));

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: expect.any(ConflictError) });
    expect(await ownersLeft()).toHaveLength(1);
  });

  it('stays when the only two owners are removed at the same moment', async () => {
    const { deps, principal, owners, ownersLeft } = await organizationWithTwoOwners();

    const outcomes = await Promise.allSettled(owners.map((owner) => removeUser(deps, principal, owner.id)));

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await ownersLeft()).toHaveLength(1);
  });
});
