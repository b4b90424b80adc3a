import { CertwrightError, isCertwrightError } from '../domain/errors.ts';
import { normalizeEmail } from '../domain/identity.ts';
import { ALL_SCOPES, OPERATOR_ORGANIZATION_ID, OPERATOR_SCOPES } from '../domain/organization.ts';
import type { ApiToken, Scope } from '../domain/organization.ts';
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
  /** The plaintext operator token: on the run that created the first organization, or when the operator asked for one. */
  operatorToken: string | null;
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
  /** An operator token chosen by the operator (CERTWRIGHT_OPERATOR_TOKEN): added, or made to work again. */
  operatorToken?: string | undefined;
  /** Issue a fresh operator token even when one exists (a deployment bootstrapped before operator tokens existed). */
  newOperatorToken?: boolean | undefined;
}

export async function bootstrap(deps: CoreDeps, input: BootstrapInput): Promise<BootstrapResult> {
  const result = await bootstrapOrganization(deps, input);
  const operatorToken = await ensureOperatorToken(deps, { ...input, newOperatorToken: input.newOperatorToken || result.created });
  return { ...result, owner: input.owner ? await ensureOwner(deps, result.organizationId, input.owner) : null, operatorToken };
}

/**
 * The operator's token, above every organization: it creates, lists and suspends organizations, issues their first
 * tokens and grants the deployment's own DNS zones. It belongs to no organization (OPERATOR_ORGANIZATION_ID) and holds
 * only the operator scopes, which no organization credential can hold or hand out.
 */
async function ensureOperatorToken(deps: CoreDeps, input: Pick<BootstrapInput, 'operatorToken' | 'newOperatorToken'>): Promise<string | null> {
  if (input.operatorToken) {
    const known = await deps.identity.findTokenByHash(hashToken(input.operatorToken));
    if (!known) await putToken(deps, OPERATOR_ORGANIZATION_ID, input.operatorToken, 'operator token', OPERATOR_SCOPES);
    else if (known.organizationId !== OPERATOR_ORGANIZATION_ID) throw new CertwrightError('conflict', 'CERTWRIGHT_OPERATOR_TOKEN is an organization token; choose another value');
    else if (!isWorkingToken(known, deps.clock.now(), OPERATOR_SCOPES)) await deps.identity.reinstateToken(known.tokenHash, OPERATOR_SCOPES);
    else return null;
    return input.operatorToken;
  }
  if (!input.newOperatorToken) return null;
  const token = generateTokenValue();
  await putToken(deps, OPERATOR_ORGANIZATION_ID, token, 'operator token', OPERATOR_SCOPES);
  return token;
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

async function bootstrapOrganization(deps: CoreDeps, input: Omit<BootstrapInput, 'owner'>): Promise<Omit<BootstrapResult, 'owner' | 'operatorToken'>> {
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

const isWorkingToken = (token: ApiToken, now: Date, scopes: readonly Scope[]): boolean =>
  !token.revokedAt && (!token.expiresAt || Date.parse(token.expiresAt) > now.getTime()) && !token.ownerUserId && scopes.every((scope) => token.scopes.includes(scope));

const isWorkingAdminToken = (token: ApiToken, now: Date): boolean => isWorkingToken(token, now, ALL_SCOPES);

const putAdminToken = (deps: CoreDeps, organizationId: number, token: string): Promise<void> =>
  putToken(deps, organizationId, token, 'bootstrap admin token', ALL_SCOPES);

async function putToken(deps: CoreDeps, organizationId: number, token: string, name: string, scopes: readonly Scope[]): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.identity.putToken({
    id: deps.newId(),
    organizationId,
    name,
    tokenHash: hashToken(token),
    prefix: displayPrefix(token),
    scopes: [...scopes],
    createdAt: now,
    expiresAt: null,
    revokedAt: null,
    ownerUserId: null,
  });
}
