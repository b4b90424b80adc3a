import { CertwrightError, ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { ROLE_SCOPES, normalizeEmail, scopesBeyond } from '../domain/identity.ts';
import type { Role, User } from '../domain/identity.ts';
import type { Principal } from '../domain/organization.ts';
import type { CoreDeps } from './core-deps.ts';
import { assertNotThrottled, counterKeys, recordPasswordFailure } from './login.ts';
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

export async function createUser(deps: CoreDeps, principal: Principal, input: CreateUserInput): Promise<User> {
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

export const listUsers = (deps: CoreDeps, principal: Principal): Promise<User[]> => deps.identity.listUsers(principal.organizationId);

/** Removes a user of the caller's organization; their sessions end at once. The last owner stays. */
export async function removeUser(deps: CoreDeps, principal: Principal, id: string): Promise<void> {
  const user = await deps.identity.getUser(id);
  if (!user || user.organizationId !== principal.organizationId) throw new NotFoundError('User');
  assertMayManage(principal, user.role);
  if (user.role === 'owner' && (await deps.identity.countByRole(principal.organizationId, 'owner')) <= 1) {
    throw new ConflictError('The last owner of an organization cannot be removed; make another user owner first (PATCH its role)');
  }
  if (!(await deps.identity.deleteUser(principal.organizationId, id))) throw new NotFoundError('User');
}

/**
 * Changes a user's role. The caller must hold the scopes of the old and of the new role, and the last owner stays
 * an owner. The user's access tokens follow at once: their scopes are narrowed to the role on every request.
 */
export async function changeRole(deps: CoreDeps, principal: Principal, id: string, role: Role): Promise<User> {
  const user = await deps.identity.getUser(id);
  if (!user || user.organizationId !== principal.organizationId) throw new NotFoundError('User');
  assertMayManage(principal, user.role);
  assertMayManage(principal, role);
  if (user.role === role) return user;
  if (user.role === 'owner' && (await deps.identity.countByRole(principal.organizationId, 'owner')) <= 1) {
    throw new ConflictError('The last owner of an organization must stay owner; make another user owner first');
  }
  const updated = await deps.identity.updateRole(principal.organizationId, id, role, deps.clock.now().toISOString());
  if (!updated) throw new NotFoundError('User');
  return updated;
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
  deps: CoreDeps,
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
