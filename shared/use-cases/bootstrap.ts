import { ALL_SCOPES } from '../domain/organization.ts';
import { displayPrefix, generateTokenValue, hashToken } from './api-tokens.ts';
import type { CoreDeps } from './core-deps.ts';

export interface BootstrapResult {
  organizationId: number;
  /** The plaintext token; only present on the run that created it. */
  token: string | null;
  created: boolean;
}

const MARKER = 'bootstrap';

/**
 * Creates the first organization and an admin API token, once per table. A later run reports the existing
 * organization without a token, since tokens are stored as hashes only.
 */
export async function bootstrap(deps: CoreDeps, input: { organizationName: string; token?: string | undefined }): Promise<BootstrapResult> {
  const existing = await deps.identity.getMarker(MARKER);
  if (existing) {
    const organizationId = Number(existing.organizationId);
    // A token chosen by the operator (CERTWRIGHT_BOOTSTRAP_TOKEN) keeps working across restarts, even if added later.
    if (input.token && !(await deps.identity.findTokenByHash(hashToken(input.token)))) {
      await putAdminToken(deps, organizationId, input.token);
      return { organizationId, token: input.token, created: false };
    }
    return { organizationId, token: null, created: false };
  }
  const organization = await deps.identity.createOrganization(input.organizationName, deps.clock.now().toISOString());
  if (!(await deps.identity.claimMarker(MARKER, { organizationId: organization.id }))) {
    // Another bootstrap won the race; its organization is the first one.
    return bootstrap(deps, input);
  }
  const token = input.token ?? generateTokenValue();
  await putAdminToken(deps, organization.id, token);
  return { organizationId: organization.id, token, created: true };
}

async function putAdminToken(deps: CoreDeps, organizationId: number, token: string): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.identity.putToken({
    id: deps.newId(),
    organizationId,
    name: 'bootstrap admin token',
    tokenHash: hashToken(token),
    prefix: displayPrefix(token),
    scopes: [...ALL_SCOPES],
    createdAt: now,
    expiresAt: null,
    revokedAt: null,
  });
}
