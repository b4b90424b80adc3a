import { createHash, randomBytes } from 'node:crypto';
import { CertwrightError } from '../domain/errors.ts';
import { LOGIN_THROTTLE, LoginThrottledError, ROLE_SCOPES, loginDelaySeconds, normalizeEmail } from '../domain/identity.ts';
import type { LoginFailures, RefreshToken, User } from '../domain/identity.ts';
import type { Scope } from '../domain/organization.ts';
import { issueAccessToken } from './access-tokens.ts';
import { hashToken } from './api-tokens.ts';
import type { IdentityDeps } from './core-deps.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';

/** Refresh tokens carry their own prefix: recognizable when leaked, and never mistaken for an API token. */
export const REFRESH_TOKEN_PREFIX = 'cwr_';
export const REFRESH_TOKEN_LIFETIME_SECONDS = 30 * 86_400;

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: User;
  scopes: readonly Scope[];
}

export interface LoginInput {
  email: string;
  password: string;
  sourceIp: string;
}

const invalidCredentials = () => new CertwrightError('unauthenticated', 'The email or password is wrong');

/** Counter keys: the account by a hash of its email (also for emails nobody has), and the source address. */
export const counterKeys = (email: string, sourceIp: string) => ({
  account: `account:${createHash('sha256').update(email).digest('hex')}`,
  source: `source:${sourceIp}`,
});

/**
 * Email and password -> a session. Unknown emails and wrong passwords take the same path (one credential read,
 * one scrypt verification, two counter writes) and give the same 401, so a reply's content and timing do not
 * tell whether an account exists. Throttled attempts are refused before the password is checked.
 */
export async function login(deps: IdentityDeps, input: LoginInput): Promise<Session> {
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  const counters = counterKeys(email, input.sourceIp);
  const dummy = dummyPasswordHash();
  const failures = await assertNotThrottled(deps, counters, now);
  const credential = await deps.identity.findCredential(email);
  const matches = await verifyPassword(input.password, credential?.passwordHash ?? (await dummy));
  const user = credential && matches ? await deps.identity.getUser(credential.userId) : null;
  if (!user) {
    await recordPasswordFailure(deps, counters, now);
    throw invalidCredentials();
  }
  // A success forgives the account's failures; the source's stay, or one valid account could launder guesses at others.
  if (failures.has(counters.account)) await deps.identity.clearLoginFailures(counters.account);
  return startSession(deps, user, deps.newId());
}

type Counters = ReturnType<typeof counterKeys>;

/** Refuses with 429 (before any password is checked) while either counter asks the caller to wait. */
export async function assertNotThrottled(deps: IdentityDeps, counters: Counters, now: Date): Promise<Map<string, LoginFailures>> {
  const failures = await deps.identity.getLoginFailures([counters.account, counters.source]);
  const wait = Math.max(
    loginDelaySeconds(failures.get(counters.account) ?? null, LOGIN_THROTTLE.accountThreshold, now),
    loginDelaySeconds(failures.get(counters.source) ?? null, LOGIN_THROTTLE.sourceThreshold, now),
  );
  if (wait > 0) throw new LoginThrottledError(wait);
  return failures;
}

export async function recordPasswordFailure(deps: IdentityDeps, counters: Counters, now: Date): Promise<void> {
  await Promise.all([
    deps.identity.recordLoginFailure(counters.account, now, LOGIN_THROTTLE.windowSeconds),
    deps.identity.recordLoginFailure(counters.source, now, LOGIN_THROTTLE.windowSeconds),
  ]);
}

async function startSession(deps: IdentityDeps, user: User, familyId: string, replacing?: RefreshToken): Promise<Session> {
  const now = deps.clock.now();
  const scopes = ROLE_SCOPES[user.role];
  const refreshToken = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const refreshTokenExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_LIFETIME_SECONDS * 1000);
  const record: RefreshToken = {
    tokenHash: hashToken(refreshToken),
    familyId,
    userId: user.id,
    organizationId: user.organizationId,
    createdAt: now.toISOString(),
    // A rotated token keeps its family's end: refreshing extends nothing, logging in again does.
    expiresAt: replacing?.expiresAt ?? refreshTokenExpiresAt.toISOString(),
    usedAt: null,
  };
  if (replacing) {
    if (!(await deps.identity.rotateRefreshToken(replacing, record, now.toISOString()))) {
      await deps.identity.revokeRefreshFamily(familyId, now.toISOString(), replacing.expiresAt);
      throw refreshRejected();
    }
  } else {
    await deps.identity.putRefreshToken(record);
  }
  const access = await issueAccessToken(deps, { userId: user.id, organizationId: user.organizationId, scopes });
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    refreshTokenExpiresAt: new Date(record.expiresAt),
    user,
    scopes,
  };
}

const refreshRejected = () => new CertwrightError('unauthenticated', 'The refresh token is invalid, expired or already used');

/**
 * A refresh token -> a new session; the presented token is used up. Presenting a used token again means it
 * leaked (or was replayed): its whole family is revoked, which logs out whoever holds the newer one too.
 */
export async function refresh(deps: IdentityDeps, presented: string): Promise<Session> {
  if (!presented.startsWith(REFRESH_TOKEN_PREFIX)) throw refreshRejected();
  const now = deps.clock.now();
  const found = await deps.identity.findRefreshToken(hashToken(presented));
  if (!found || found.familyRevoked || found.token.expiresAt <= now.toISOString()) throw refreshRejected();
  const { token } = found;
  if (token.usedAt !== null) {
    await deps.identity.revokeRefreshFamily(token.familyId, now.toISOString(), token.expiresAt);
    throw refreshRejected();
  }
  const user = await deps.identity.getUser(token.userId);
  if (!user || user.organizationId !== token.organizationId || token.createdAt < user.tokensValidAfter) throw refreshRejected();
  return startSession(deps, user, token.familyId, token);
}
