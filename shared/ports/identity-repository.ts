import type { LoginCredential, LoginFailures, RefreshToken, Role, User } from '../domain/identity.ts';
import type { ApiToken, Organization, Scope } from '../domain/organization.ts';

/** How a change that must leave the organization an owner went. */
export type OwnerGuardedChange = 'done' | 'missing' | 'owner-changed';

export interface IdentityRepository {
  createOrganization(name: string, createdAt: string): Promise<Organization>;
  getOrganization(id: number): Promise<Organization | null>;
  /** Organizations by id, oldest first: `limit` from `offset`; `total` is how many ids were handed out. */
  listOrganizations(offset: number, limit: number): Promise<{ organizations: Organization[]; total: number }>;
  /** Suspends (an instant) or reinstates (null) the organization; null when it does not exist. */
  setOrganizationSuspended(id: number, suspendedAt: string | null): Promise<Organization | null>;

  putToken(token: ApiToken): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<ApiToken | null>;
  /** Every token of the organization, oldest first (revoked and expired ones included). */
  listTokens(organizationId: number): Promise<ApiToken[]>;
  /** The organization's token with this id; null when it has none (another organization's token included). */
  getToken(organizationId: number, id: string): Promise<ApiToken | null>;
  /** Marks the organization's token revoked; false when it has no token with this id. Revoking twice is fine. */
  revokeToken(organizationId: number, id: string, revokedAt: string): Promise<boolean>;
  /**
   * Makes the token with this hash a working operator token again: not revoked, no expiry, these scopes, no owner.
   * The operator's way back in when the admin token was revoked; false when no token has this hash.
   */
  reinstateToken(tokenHash: string, scopes: readonly Scope[]): Promise<boolean>;
  /** Records a use, unless one was recorded after `notBefore` (keeps authentication mostly read-only). */
  touchToken(tokenHash: string, usedAt: string, notBefore: string): Promise<void>;

  /** Stores the user and its login credential together; ConflictError when the email is taken. */
  createUser(user: User, passwordHash: string): Promise<void>;
  getUser(id: string): Promise<User | null>;
  listUsers(organizationId: number): Promise<User[]>;
  /**
   * Removes the user and its credential; 'missing' when the organization has no such user. With `keepOwner`, only
   * while that other user is still an owner, in the same transaction ('owner-changed' when not), so that two
   * concurrent changes cannot leave an organization without an owner.
   */
  deleteUser(organizationId: number, id: string, keepOwner?: string): Promise<OwnerGuardedChange>;
  findCredential(email: string): Promise<LoginCredential | null>;
  /** Replaces the password hash and moves `tokensValidAfter`, so earlier sessions end. */
  changePassword(user: User, passwordHash: string, at: string): Promise<void>;
  /** Sets the role of the organization's user; 'missing' and `keepOwner` as for deleteUser. */
  updateRole(organizationId: number, id: string, role: Role, at: string, keepOwner?: string): Promise<OwnerGuardedChange>;

  putRefreshToken(token: RefreshToken): Promise<void>;
  /** The refresh token and whether its family was revoked (a reused token revokes its whole family). */
  findRefreshToken(tokenHash: string): Promise<{ token: RefreshToken; familyRevoked: boolean } | null>;
  /** Marks `used` as used and stores `next`, atomically; false when `used` had been used already. */
  rotateRefreshToken(used: RefreshToken, next: RefreshToken, at: string): Promise<boolean>;
  revokeRefreshFamily(familyId: string, at: string, expiresAt: string): Promise<void>;

  /** Failure counters by key (`account:<hash>`, `source:<ip>`); missing keys are absent from the map. */
  getLoginFailures(keys: readonly string[]): Promise<Map<string, LoginFailures>>;
  /** Counts one failure; a counter whose last failure is older than the window starts again at 1. */
  recordLoginFailure(key: string, at: Date, windowSeconds: number): Promise<void>;
  clearLoginFailures(key: string): Promise<void>;

  /** Records a one-off marker; false when it was recorded before. Used to make bootstrap run once. */
  claimMarker(name: string, value: Record<string, string | number>): Promise<boolean>;
  getMarker(name: string): Promise<Record<string, string | number> | null>;
}
