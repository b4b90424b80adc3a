import { CertwrightError } from './errors.ts';
import { ALL_SCOPES } from './organization.ts';
import type { Scope } from './organization.ts';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];

/**
 * What each role may do. `admin` (the scope) implies every other scope and adds organization administration:
 * the audit log and owner accounts, so only owners hold it. Everyone may change their own password.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  owner: ALL_SCOPES,
  admin: ALL_SCOPES.filter((scope) => scope !== 'admin'),
  member: ['certificates:read', 'certificates:write', 'projects:read', 'projects:write', 'domains:read', 'tokens:manage', 'account:manage'],
  viewer: ['certificates:read', 'projects:read', 'domains:read', 'account:manage'],
};

/** A person who signs in with email and password; belongs to one organization. */
export interface User {
  id: string;
  organizationId: number;
  /** Lowercased; unique across the installation, since login names no organization. */
  email: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  /** Access and refresh tokens issued before this instant no longer work (set by a password change). */
  tokensValidAfter: string;
}

/** What login reads: one item per email, so an unknown and a known email cost the same reads. */
export interface LoginCredential {
  email: string;
  userId: string;
  organizationId: number;
  /** `scrypt$ln=..,r=..,p=..$salt$hash`; never leaves the repository except to be verified. */
  passwordHash: string;
}

/** One refresh token: stored by hash, used once, rotated within its family. */
export interface RefreshToken {
  tokenHash: string;
  familyId: string;
  userId: string;
  organizationId: number;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** One recorded write: who did what, when and from where. Never holds a secret value or a request body. */
export interface AuditEvent {
  id: string;
  organizationId: number;
  at: string;
  /** `user:<id>` or `token:<id>`. */
  actor: string;
  /** The route key, e.g. `POST /api/organizations/{organizationId}/certificates`, or an identity action. */
  action: string;
  /** Path parameters of the request (ids only). */
  target: Record<string, string>;
  /** The Location of a created resource, when the reply named one. */
  resource: string | null;
  status: number;
  sourceIp: string;
  userAgent: string;
  requestId: string;
}

/** Failed logins counted for one account or one source address. */
export interface LoginFailures {
  failures: number;
  lastFailureAt: string;
}

/**
 * The login throttling policy. Failures are counted per account and per source IP within a sliding window;
 * once a counter reaches its threshold, every further attempt must wait, and the wait doubles per failure.
 */
export const LOGIN_THROTTLE = {
  windowSeconds: 15 * 60,
  accountThreshold: 5,
  sourceThreshold: 20,
  firstDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
} as const;

/** Seconds until the next attempt is allowed for this counter (0 = allowed now). */
export function loginDelaySeconds(counter: LoginFailures | null, threshold: number, now: Date): number {
  if (!counter) return 0;
  const last = Date.parse(counter.lastFailureAt);
  const sinceLast = (now.getTime() - last) / 1000;
  if (sinceLast >= LOGIN_THROTTLE.windowSeconds || counter.failures < threshold) return 0;
  const delay = Math.min(LOGIN_THROTTLE.firstDelaySeconds * 2 ** (counter.failures - threshold), LOGIN_THROTTLE.maxDelaySeconds);
  return Math.max(0, Math.ceil(delay - sinceLast));
}

/** Whether `held` covers `scope`: `admin` covers every organization scope, never an operator scope, which only the operator holds. */
export const scopeCovered = (held: readonly Scope[], scope: Scope): boolean =>
  held.includes(scope) || (!scope.startsWith('operator:') && held.includes('admin'));

/** Scopes in `requested` that `held` does not cover. */
export function scopesBeyond(held: readonly Scope[], requested: readonly Scope[]): Scope[] {
  return requested.filter((scope) => !scopeCovered(held, scope));
}

/** Too many failed logins; the caller must wait `retryAfterSeconds`. */
export class LoginThrottledError extends CertwrightError {
  override readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('quota_exceeded', `Too many failed logins; try again in ${retryAfterSeconds} seconds`);
    this.name = 'LoginThrottledError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
