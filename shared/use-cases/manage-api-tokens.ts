import { checkedName } from '../domain/display-name.ts';
import { CertwrightError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { scopesBeyond } from '../domain/identity.ts';
import type { ApiToken, Principal, Scope } from '../domain/organization.ts';
import { displayPrefix, generateTokenValue, hashToken } from './api-tokens.ts';
import type { IdentityDeps } from './core-deps.ts';

export interface CreateTokenInput {
  name: string;
  scopes: Scope[];
  expiresAt: Date | null;
}

/** Creates an API token for the caller's organization; returns the plaintext, which is never available again. */
export async function createApiToken(deps: IdentityDeps, principal: Principal, input: CreateTokenInput): Promise<{ token: ApiToken; plaintext: string }> {
  const now = deps.clock.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new ValidationError([{ field: 'expiresAt', message: 'must be in the future' }]);
  }
  // A credential hands on only what it holds itself, so a token can never mint a stronger one.
  const beyond = scopesBeyond(principal.scopes, input.scopes);
  if (beyond.length > 0) throw new CertwrightError('forbidden', `A token cannot grant scopes its creator lacks: ${beyond.join(', ')}`);
  const plaintext = generateTokenValue();
  const token: ApiToken = {
    id: deps.newId(),
    organizationId: principal.organizationId,
    name: checkedName(input.name),
    tokenHash: hashToken(plaintext),
    prefix: displayPrefix(plaintext),
    scopes: [...new Set(input.scopes)],
    createdAt: now.toISOString(),
    expiresAt: input.expiresAt?.toISOString() ?? null,
    revokedAt: null,
    lastUsedAt: null,
    ownerUserId: principal.userId ?? null,
  };
  await deps.identity.putToken(token);
  return { token, plaintext };
}

export const listApiTokens = (deps: IdentityDeps, principal: Principal): Promise<ApiToken[]> => deps.identity.listTokens(principal.organizationId);

/** A token of the caller's organization (never its secret: only the hash is stored); another organization's is a 404. */
export async function getApiToken(deps: IdentityDeps, principal: Principal, id: string): Promise<ApiToken> {
  const token = await deps.identity.getToken(principal.organizationId, id);
  if (!token) throw new NotFoundError('API token');
  return token;
}

/**
 * Revokes at once: authentication reads the token on every request. Another organization's token is a 404. The caller
 * must hold every scope of the token, the rule that already bounds creating one: otherwise a member could lock the
 * owners out by revoking their tokens.
 */
export async function revokeApiToken(deps: IdentityDeps, principal: Principal, id: string): Promise<void> {
  const token = await getApiToken(deps, principal, id);
  const beyond = scopesBeyond(principal.scopes, token.scopes);
  if (beyond.length > 0) throw new CertwrightError('forbidden', `Revoking this token needs the scopes it has: ${beyond.join(', ')}`);
  if (!(await deps.identity.revokeToken(principal.organizationId, id, deps.clock.now().toISOString()))) throw new NotFoundError('API token');
}

/** Marks the tokens a removed user owned revoked, so the list says what authentication already refuses. */
export async function revokeTokensOwnedBy(deps: IdentityDeps, organizationId: number, userId: string): Promise<void> {
  const at = deps.clock.now().toISOString();
  const owned = (await deps.identity.listTokens(organizationId)).filter((token) => token.ownerUserId === userId && !token.revokedAt);
  await Promise.all(owned.map((token) => deps.identity.revokeToken(organizationId, token.id, at)));
}
