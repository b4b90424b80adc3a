import { CertwrightError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import { hashToken } from './api-tokens.ts';
import type { CoreDeps } from './core-deps.ts';

const rejected = () => new CertwrightError('unauthenticated', 'A valid API token is required');

/** Resolves a presented API token to its principal; unknown, revoked and expired tokens are all the same 401. */
export async function authenticateToken(deps: Pick<CoreDeps, 'identity' | 'clock'>, plaintext: string | null): Promise<Principal> {
  if (!plaintext) throw rejected();
  const token = await deps.identity.findTokenByHash(hashToken(plaintext));
  const now = deps.clock.now().toISOString();
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) throw rejected();
  return { organizationId: token.organizationId, subject: `token:${token.id}`, scopes: token.scopes };
}
