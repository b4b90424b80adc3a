import { CertwrightError } from '../domain/errors.ts';
import { ROLE_SCOPES } from '../domain/identity.ts';
import { OPERATOR_ORGANIZATION_ID } from '../domain/organization.ts';
import type { Organization, Principal } from '../domain/organization.ts';
import { verifyAccessToken } from './access-tokens.ts';
import { TOKEN_PREFIX, hashToken } from './api-tokens.ts';
import type { CoreDeps } from './core-deps.ts';
import { RecentFacts } from './recent-facts.ts';

/** A credential as presented: an API token (`X-API-TOKEN` or `Bearer cw_...`) or a JWT access token (`Bearer ey...`). */
export type Credential = { kind: 'api-token'; value: string } | { kind: 'jwt'; value: string };

const rejected = () => new CertwrightError('unauthenticated', 'A valid API token or access token is required');

/**
 * A suspended organization's credentials stop working, every one of them, until the operator reinstates it. `early` is
 * the organization's read when it could start together with the credential's own (one round trip for both).
 */
async function assertNotSuspended(
  deps: Pick<CoreDeps, 'identity'>,
  organizationId: number,
  early: Promise<Organization | null> | null,
): Promise<void> {
  if (organizationId === OPERATOR_ORGANIZATION_ID) return;
  const organization = await (early ?? deps.identity.getOrganization(organizationId));
  if (organization?.suspendedAt) throw new CertwrightError('forbidden', 'This organization is suspended; its credentials work again once the operator reinstates it');
}

const readEarly = <T>(read: Promise<T>): Promise<T> => {
  read.catch(() => undefined); // awaited later, or not needed once the credential is refused
  return read;
};

/** An API token's last use is written at most this often, so most requests stay one read. */
const LAST_USED_PRECISION_MS = 60_000;

/**
 * The organization and owner of API tokens this process has accepted, by token hash. Neither ever changes, so the
 * organization may be named, and the owner read, before the token is looked up again (see `authenticate`); whether
 * the token and its owner are still valid is read from the store on every request, so a revoked token, a removed
 * owner or a narrower role takes effect at once.
 */
const tokenFacts = new RecentFacts<{ organizationId: number; ownerUserId: string | null }>(1_000);

export function classifyBearer(value: string): Credential {
  return value.startsWith(TOKEN_PREFIX) ? { kind: 'api-token', value } : { kind: 'jwt', value };
}

/**
 * Resolves a presented API token to its principal; unknown, revoked and expired tokens are all the same 401, and so is
 * a token whose owner was removed. A token never exceeds its owner's current role: its scopes are narrowed to it.
 */
export async function authenticateToken(
  deps: Pick<CoreDeps, 'identity' | 'clock'>,
  plaintext: string | null,
  onPlausible?: (organizationId: number | undefined) => void,
): Promise<Principal> {
  if (!plaintext) throw rejected();
  const tokenHash = hashToken(plaintext);
  const known = tokenFacts.get(tokenHash);
  onPlausible?.(known?.organizationId);
  // Started in the same turn as the token's read, so both go to the store as one request.
  const knownOwner = known?.ownerUserId ? readEarly(deps.identity.getUser(known.ownerUserId)) : null;
  const knownOrganization =
    known && known.organizationId !== OPERATOR_ORGANIZATION_ID ? readEarly(deps.identity.getOrganization(known.organizationId)) : null;
  const token = await deps.identity.findTokenByHash(tokenHash);
  const now = deps.clock.now();
  const at = now.toISOString();
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= at)) throw rejected();
  let scopes = token.scopes;
  const ownerUserId = token.ownerUserId ?? null;
  if (ownerUserId) {
    const owner = await (ownerUserId === known?.ownerUserId && knownOwner ? knownOwner : deps.identity.getUser(ownerUserId));
    if (!owner || owner.organizationId !== token.organizationId) throw rejected();
    const allowed = ROLE_SCOPES[owner.role];
    scopes = token.scopes.filter((scope) => allowed.includes(scope));
  }
  await assertNotSuspended(deps, token.organizationId, known?.organizationId === token.organizationId ? knownOrganization : null);
  const notBefore = new Date(now.getTime() - LAST_USED_PRECISION_MS).toISOString();
  if (!token.lastUsedAt || token.lastUsedAt < notBefore) await deps.identity.touchToken(tokenHash, at, notBefore);
  tokenFacts.remember(tokenHash, { organizationId: token.organizationId, ownerUserId });
  return { organizationId: token.organizationId, subject: `token:${token.id}`, scopes, userId: ownerUserId ?? undefined };
}

/**
 * Resolves a JWT access token. The user is read on every request, so a removed user or a changed password
 * (which ends earlier sessions) stops the token at once; the scopes are the token's, narrowed to what the
 * user's current role still allows.
 */
export async function authenticateAccessToken(
  deps: Pick<CoreDeps, 'identity' | 'clock' | 'secrets' | 'secretPrefix'>,
  jwt: string,
  onPlausible?: (organizationId: number) => void,
): Promise<Principal> {
  const verified = await verifyAccessToken(deps, jwt);
  onPlausible?.(verified.organizationId);
  const organization = readEarly(deps.identity.getOrganization(verified.organizationId));
  const user = await deps.identity.getUser(verified.userId);
  if (!user || user.organizationId !== verified.organizationId) throw rejected();
  if (verified.issuedAt < Math.floor(Date.parse(user.tokensValidAfter) / 1000)) throw rejected();
  await assertNotSuspended(deps, user.organizationId, organization);
  const allowed = ROLE_SCOPES[user.role];
  return {
    organizationId: user.organizationId,
    subject: `user:${user.id}`,
    scopes: verified.scopes.filter((scope) => allowed.includes(scope)),
    userId: user.id,
  };
}

/**
 * The one way every route authenticates. `onPlausible` is called once the credential has passed what can be checked
 * without the store (a JWT's signature, issuer, audience and expiry; an API token has nothing to check locally), just
 * before the store is asked: the moment a read that overlaps the lookup may start. It is given the organization the
 * credential claims, when that is known before the lookup: a JWT's, or an API token's from its last use here.
 */
export async function authenticate(
  deps: Pick<CoreDeps, 'identity' | 'clock' | 'secrets' | 'secretPrefix'>,
  credential: Credential | null,
  onPlausible?: (organizationId: number | undefined) => void,
): Promise<Principal> {
  if (!credential) throw rejected();
  if (credential.kind === 'jwt') return authenticateAccessToken(deps, credential.value, onPlausible);
  return authenticateToken(deps, credential.value, onPlausible);
}
