import type { AuditEvent, User } from '../../domain/identity.ts';
import type { ApiToken } from '../../domain/organization.ts';
import type { Session } from '../../use-cases/login.ts';

export const tokenPath = (id: string) => `/api/api-tokens/${id}`;
export const userPath = (organizationId: number, id: string) => `/api/organizations/${organizationId}/users/${id}`;

const secondsUntil = (from: Date, to: Date) => Math.max(0, Math.ceil((to.getTime() - from.getTime()) / 1000));

/** The login and refresh reply: the only replies that carry an access or refresh token. */
export function sessionResource(session: Session, now: Date) {
  return {
    token: session.accessToken,
    tokenType: 'Bearer',
    expiresIn: secondsUntil(now, session.accessTokenExpiresAt),
    expiresAt: session.accessTokenExpiresAt.toISOString(),
    refreshToken: session.refreshToken,
    refreshTokenExpiresAt: session.refreshTokenExpiresAt.toISOString(),
    organizationId: session.user.organizationId,
    scopes: session.scopes,
    user: userResource(session.user),
  };
}

export function userResource(user: User) {
  return {
    '@id': userPath(user.organizationId, user.id),
    id: user.id,
    email: user.email,
    role: user.role,
    organizationId: user.organizationId,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

export function tokenStatus(token: ApiToken, now: Date): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now.toISOString()) return 'expired';
  return 'active';
}

/** A token as listed: never the secret or its hash, only the short prefix for recognition. */
export function tokenResource(token: ApiToken, now: Date) {
  return {
    '@id': tokenPath(token.id),
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: token.scopes,
    status: tokenStatus(token, now),
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt ?? null,
    revokedAt: token.revokedAt,
  };
}

export function auditResource(event: AuditEvent) {
  return {
    id: event.id,
    at: event.at,
    actor: event.actor,
    action: event.action,
    target: event.target,
    resource: event.resource,
    status: event.status,
    sourceIp: event.sourceIp,
    userAgent: event.userAgent,
    requestId: event.requestId,
  };
}

export const collection = <T>(member: T[], extra: Record<string, unknown> = {}) => ({ totalItems: member.length, member, ...extra });
