import { isCertwrightError } from '../domain/errors.ts';
import { normalizeEmail } from '../domain/identity.ts';
import { ALL_SCOPES } from '../domain/organization.ts';
import type { ApiToken } from '../domain/organization.ts';
import { displayPrefix, generateTokenValue, hashToken } from './api-tokens.ts';
import type { CoreDeps } from './core-deps.ts';
import { createUser } from './manage-users.ts';

export interface BootstrapResult {
  organizationId: number;
  /** The plaintext admin token: on the run that created it, or when the operator asked for one back. */
  token: string | null;
  created: boolean;
  /** What happened to the requested owner user: created now, there already, or none requested. */
  owner: 'created' | 'exists' | null;
}

export interface OwnerInput {
  email: string;
  password: string;
}

const MARKER = 'bootstrap';

/**
 * Creates the first organization and an admin API token, once per table, and optionally an owner user. A later run reports the existing
 * organization without a token, since tokens are stored as hashes only.
 */
export interface BootstrapInput {
  organizationName: string;
  /** An admin token chosen by the operator: added, or made to work again (not revoked, every scope) if it was revoked. */
  token?: string | undefined;
  /** Issue a fresh admin token for the first organization even when it exists: the operator's way back in. */
  newAdminToken?: boolean | undefined;
  owner?: OwnerInput | undefined;
}

export async function bootstrap(deps: CoreDeps, input: BootstrapInput): Promise<BootstrapResult> {
  const result = await bootstrapOrganization(deps, input);
  return { ...result, owner: input.owner ? await ensureOwner(deps, result.organizationId, input.owner) : null };
}

/**
 * The first owner user of the first organization; run again with another email it adds another owner, and with an
 * email that exists it changes nothing (the password is never overwritten from here).
 */
async function ensureOwner(deps: CoreDeps, organizationId: number, owner: OwnerInput): Promise<'created' | 'exists'> {
  if (await deps.identity.findCredential(normalizeEmail(owner.email))) return 'exists';
  const operator = { organizationId, subject: 'bootstrap', scopes: ALL_SCOPES };
  try {
    await createUser(deps, operator, { email: owner.email, password: owner.password, role: 'owner' });
    return 'created';
  } catch (error) {
    if (isCertwrightError(error) && error.code === 'conflict') return 'exists';
    throw error;
  }
}

async function bootstrapOrganization(deps: CoreDeps, input: Omit<BootstrapInput, 'owner'>): Promise<Omit<BootstrapResult, 'owner'>> {
  const existing = await deps.identity.getMarker(MARKER);
  if (existing) {
    const organizationId = Number(existing.organizationId);
    // A token chosen by the operator (CERTWRIGHT_BOOTSTRAP_TOKEN) keeps working across restarts, even if added later,
    // and even if someone revoked it: the operator, who holds the table, is above every organization's users.
    if (input.token) {
      const known = await deps.identity.findTokenByHash(hashToken(input.token));
      if (!known) await putAdminToken(deps, organizationId, input.token);
      else if (!isWorkingAdminToken(known, deps.clock.now())) await deps.identity.reinstateToken(known.tokenHash, ALL_SCOPES);
      else return { organizationId, token: null, created: false };
      return { organizationId, token: input.token, created: false };
    }
    if (input.newAdminToken) {
      const token = generateTokenValue();
      await putAdminToken(deps, organizationId, token);
      return { organizationId, token, created: false };
    }
    return { organizationId, token: null, created: false };
  }
  const organization = await deps.identity.createOrganization(input.organizationName, deps.clock.now().toISOString());
  if (!(await deps.identity.claimMarker(MARKER, { organizationId: organization.id }))) {
    // Another bootstrap won the race; its organization is the first one.
    return bootstrapOrganization(deps, input);
  }
  const token = input.token ?? generateTokenValue();
  await putAdminToken(deps, organization.id, token);
  return { organizationId: organization.id, token, created: true };
}

const isWorkingAdminToken = (token: ApiToken, now: Date): boolean =>
  !token.revokedAt && (!token.expiresAt || Date.parse(token.expiresAt) > now.getTime()) && !token.ownerUserId && ALL_SCOPES.every((scope) => token.scopes.includes(scope));

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
    ownerUserId: null,
  });
}
