import { CertwrightError, ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { ROLE_SCOPES, normalizeEmail, scopesBeyond } from '../domain/identity.ts';
import type { Role, User } from '../domain/identity.ts';
import type { Principal } from '../domain/organization.ts';
import type { OwnerGuardedChange } from '../ports/identity-repository.ts';
import type { IdentityDeps } from './core-deps.ts';
import { assertNotThrottled, counterKeys, recordPasswordFailure } from './login.ts';
import { revokeTokensOwnedBy } from './manage-api-tokens.ts';
import { checkPasswordRules, hashPassword, verifyPassword } from './passwords.ts';

export interface CreateUserInput {
  email: string;
  password: string;
  role: Role;
}

/** Nobody hands out a role stronger than their own credential: an admin cannot make owners, a token lacking users:manage nothing. */
function assertMayManage(principal: Principal, role: Role): void {
  const beyond = scopesBeyond(principal.scopes, ROLE_SCOPES[role]);
  if (beyond.length > 0) throw new CertwrightError('forbidden', `Managing ${role}s needs the scopes they have: ${beyond.join(', ')}`);
}

export async function createUser(deps: IdentityDeps, principal: Principal, input: CreateUserInput): Promise<User> {
  assertMayManage(principal, input.role);
  checkPasswordRules(input.password);
  const at = deps.clock.now().toISOString();
  const user: User = {
    id: deps.newId(),
    organizationId: principal.organizationId,
    email: normalizeEmail(input.email),
    role: input.role,
    createdAt: at,
    updatedAt: at,
    tokensValidAfter: at,
  };
  await deps.identity.createUser(user, await hashPassword(input.password));
  return user;
}

export const listUsers = (deps: IdentityDeps, principal: Principal): Promise<User[]> => deps.identity.listUsers(principal.organizationId);

/** A user of the caller's organization; another organization's is a 404, as one that does not exist. */
export async function getUser(deps: IdentityDeps, principal: Principal, id: string): Promise<User> {
  const user = await deps.identity.getUser(id);
  if (!user || user.organizationId !== principal.organizationId) throw new NotFoundError('User');
  return user;
}

/** Concurrent changes of owners are decided afresh this often before the caller gets a 409. */
const OWNER_CHANGE_ATTEMPTS = 5;

/**
 * Applies a change that takes an owner away (`user` stops being one) only while another owner stays, checked in
 * the same transaction as the change: two owners demoting each other at once cannot leave the organization without
 * one. A change that leaves the user an owner, or concerns someone else, needs no such check.
 */
async function keepingAnOwner(
  deps: IdentityDeps,
  user: User,
  takesOwnerAway: boolean,
  lastOwner: string,
  change: (keepOwner: string | undefined) => Promise<OwnerGuardedChange>,
): Promise<void> {
  for (let attempt = 1; attempt <= OWNER_CHANGE_ATTEMPTS; attempt += 1) {
    let keepOwner: string | undefined;
    if (takesOwnerAway) {
      keepOwner = (await deps.identity.listUsers(user.organizationId)).find((other) => other.role === 'owner' && other.id !== user.id)?.id;
      if (!keepOwner) throw new ConflictError(lastOwner);
    }
    const outcome = await change(keepOwner);
    if (outcome === 'done') return;
    if (outcome === 'missing') throw new NotFoundError('User');
  }
  throw new ConflictError(lastOwner);
}

/** Removes a user of the caller's organization; their sessions and API tokens end at once. The last owner stays. */
export async function removeUser(deps: IdentityDeps, principal: Principal, id: string): Promise<void> {
  const user = await getUser(deps, principal, id);
  assertMayManage(principal, user.role);
  await keepingAnOwner(
    deps,
    user,
    user.role === 'owner',
    'The last owner of an organization cannot be removed; make another user owner first (PATCH its role)',
    (keepOwner) => deps.identity.deleteUser(principal.organizationId, id, keepOwner),
  );
  await revokeTokensOwnedBy(deps, principal.organizationId, id);
}

/**
 * Changes a user's role. The caller must hold the scopes of the old and of the new role, and the last owner stays
 * an owner. The user's access tokens and API tokens follow at once: their scopes are narrowed to the role on every request.
 */
export async function changeRole(deps: IdentityDeps, principal: Principal, id: string, role: Role): Promise<User> {
  const user = await getUser(deps, principal, id);
  assertMayManage(principal, user.role);
  assertMayManage(principal, role);
  if (user.role === role) return user;
  const at = deps.clock.now().toISOString();
  await keepingAnOwner(
    deps,
    user,
    user.role === 'owner',
    'The last owner of an organization must stay owner; make another user owner first',
    (keepOwner) => deps.identity.updateRole(principal.organizationId, id, role, at, keepOwner),
  );
  return { ...user, role, updatedAt: at };
}

/** The signed-in user's id, or a 403 for API tokens, which have no password. */
export function userIdOf(principal: Principal): string {
  const match = /^user:(.+)$/.exec(principal.subject);
  if (!match?.[1]) throw new CertwrightError('forbidden', 'Only a signed-in user (Bearer access token from /api/auth/login) has a password to change');
  return match[1];
}

/**
 * Changes the caller's password after checking the current one; every earlier session (access and refresh tokens)
 * ends. Wrong current passwords count as failed logins, so a stolen session cannot guess at the login throttle's side.
 */
export async function changeOwnPassword(
  deps: IdentityDeps,
  principal: Principal,
  input: { currentPassword: string; newPassword: string; sourceIp: string },
): Promise<void> {
  const user = await deps.identity.getUser(userIdOf(principal));
  if (!user) throw new CertwrightError('unauthenticated', 'The access token is invalid or has expired');
  const now = deps.clock.now();
  const counters = counterKeys(user.email, input.sourceIp);
  await assertNotThrottled(deps, counters, now);
  const credential = await deps.identity.findCredential(user.email);
  if (!credential || !(await verifyPassword(input.currentPassword, credential.passwordHash))) {
    await recordPasswordFailure(deps, counters, now);
    throw new ValidationError([{ field: 'currentPassword', message: 'is not your current password' }]);
  }
  const newPassword = input.newPassword;
  checkPasswordRules(newPassword, 'newPassword');
  await deps.identity.changePassword(user, await hashPassword(newPassword), deps.clock.now().toISOString());
}
