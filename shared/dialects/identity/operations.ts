import * as z from 'zod';
import { CertwrightError } from '../../domain/errors.ts';
import { ROLES } from '../../domain/identity.ts';
import { ALL_SCOPES } from '../../domain/organization.ts';
import type { Operations } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import type { ApiEvent, ApiResult } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import { listAuditEvents, recordAudit } from '../../use-cases/audit.ts';
import type { IdentityDeps } from '../../use-cases/core-deps.ts';
import { login, refresh } from '../../use-cases/login.ts';
import { PASSWORD_RULES } from '../../use-cases/passwords.ts';
import type { Session } from '../../use-cases/login.ts';
import { createApiToken, getApiToken, listApiTokens, revokeApiToken } from '../../use-cases/manage-api-tokens.ts';
import { changeOwnPassword, changeRole, createUser, getUser, listUsers, removeUser, userIdOf } from '../../use-cases/manage-users.ts';
import { auditResource, collection, sessionResource, tokenPath, tokenResource, userPath, userResource } from './presenter.ts';

export interface IdentityOptions {
  maxBodyBytes: number;
}

/** Replies that carry a secret must not be kept by any cache. */
const NO_STORE = { 'cache-control': 'no-store' };

// No password is longer than the rules allow, so a longer one is refused before any hashing work.
const password = (field: string) =>
  z
    .string({ message: `${field} is required` })
    .min(1, `${field} is required`)
    .refine((value) => [...value].length <= PASSWORD_RULES.maxLength, `${field} has at most ${PASSWORD_RULES.maxLength} characters`);

const loginSchema = z.object({
  email: z.string({ message: 'email is required' }).trim().min(1, 'email is required').max(254),
  password: password('password'),
});

const refreshSchema = z.object({ refreshToken: z.string({ message: 'refreshToken is required' }).min(1).max(512) });

const createTokenSchema = z.object({
  name: z.string({ message: 'name is required' }).trim().min(1, 'name is required').max(100),
  scopes: z.array(z.enum(ALL_SCOPES as [string, ...string[]], { message: `scopes are among: ${ALL_SCOPES.join(', ')}` })).min(1, 'at least one scope is required'),
  expiresAt: z.iso.datetime({ offset: true, message: 'expiresAt is an ISO 8601 date-time' }).nullish(),
});

const createUserSchema = z.object({
  email: z.email({ message: 'email must be an email address' }).max(254),
  password: z.string({ message: 'password is required' }).max(1024),
  role: z.enum(ROLES as [string, ...string[]], { message: `role is one of: ${ROLES.join(', ')}` }),
});

const changeRoleSchema = z.object({ role: z.enum(ROLES as [string, ...string[]], { message: `role is one of: ${ROLES.join(', ')}` }) });

const changePasswordSchema = z.object({
  currentPassword: password('currentPassword'),
  newPassword: z.string({ message: 'newPassword is required' }).max(1024),
});

function integerParameter(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new CertwrightError('bad_request', `${name} must be an integer from ${min} to ${max}`);
  return Number(raw);
}

/** Public routes have no principal for the handler's audit hook; a started session is recorded here, as its user. */
function auditSession(deps: IdentityDeps, session: Session, action: string, event: ApiEvent, requestId: string): Promise<void> {
  return recordAudit(deps, {
    principal: { organizationId: session.user.organizationId, subject: `user:${session.user.id}`, scopes: session.scopes },
    action,
    target: {},
    resource: null,
    status: 200,
    sourceIp: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent ?? '',
    requestId,
  });
}

export function identityOperations(options: IdentityOptions): Operations<'identity', IdentityDeps> {
  const body = <T>(schema: z.ZodType<T>, event: ApiEvent): T =>
    parseWith(schema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: ['application/json'] }));

  return {
    'POST /api/auth/login': async ({ deps, event, requestId }): Promise<ApiResult> => {
      const input = body(loginSchema, event);
      const session = await login(deps, { ...input, sourceIp: event.requestContext.http.sourceIp });
      await auditSession(deps, session, 'POST /api/auth/login', event, requestId);
      return json(200, sessionResource(session, deps.clock.now()), NO_STORE);
    },

    'POST /api/auth/refresh': async ({ deps, event, requestId }) => {
      const input = body(refreshSchema, event);
      const session = await refresh(deps, input.refreshToken);
      await auditSession(deps, session, 'POST /api/auth/refresh', event, requestId);
      return json(200, sessionResource(session, deps.clock.now()), NO_STORE);
    },

    'POST /api/auth/password': async ({ deps, principal, event }) => {
      userIdOf(principal); // an API token has no password: say so before looking at the body
      const input = body(changePasswordSchema, event);
      await changeOwnPassword(deps, principal, { ...input, sourceIp: event.requestContext.http.sourceIp });
      return { statusCode: 204, headers: NO_STORE, body: '' };
    },

    'POST /api/api-tokens': async ({ deps, principal, event }) => {
      const input = body(createTokenSchema, event);
      const { token, plaintext } = await createApiToken(deps, principal, {
        name: input.name,
        scopes: input.scopes as (typeof ALL_SCOPES)[number][],
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      });
      // The one reply that ever contains the plaintext.
      return json(201, { ...tokenResource(token, deps.clock.now()), token: plaintext }, { ...NO_STORE, location: tokenPath(token.id) });
    },

    'GET /api/api-tokens': async ({ deps, principal }) => {
      const now = deps.clock.now();
      return json(200, collection((await listApiTokens(deps, principal)).map((token) => tokenResource(token, now))));
    },

    // The @id of a listed token.
    'GET /api/api-tokens/{id}': async ({ deps, principal, params }) =>
      json(200, tokenResource(await getApiToken(deps, principal, params.id ?? ''), deps.clock.now())),

    'DELETE /api/api-tokens/{id}': async ({ deps, principal, params }) => {
      await revokeApiToken(deps, principal, params.id ?? '');
      return { statusCode: 204, body: '' };
    },

    'GET /api/organizations/{organizationId}/users': async ({ deps, principal }) =>
      json(200, collection((await listUsers(deps, principal)).map(userResource))),

    'POST /api/organizations/{organizationId}/users': async ({ deps, principal, event }) => {
      const input = body(createUserSchema, event);
      const user = await createUser(deps, principal, { email: input.email, password: input.password, role: input.role as (typeof ROLES)[number] });
      return json(201, userResource(user), { location: userPath(user.organizationId, user.id) });
    },

    // The @id of a listed user.
    'GET /api/organizations/{organizationId}/users/{userId}': async ({ deps, principal, params }) =>
      json(200, userResource(await getUser(deps, principal, params.userId ?? ''))),

    'PATCH /api/organizations/{organizationId}/users/{userId}': async ({ deps, principal, params, event }) => {
      const input = parseWith(changeRoleSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: ['application/json', 'application/merge-patch+json'] }));
      const user = await changeRole(deps, principal, params.userId ?? '', input.role as (typeof ROLES)[number]);
      return json(200, userResource(user));
    },

    'DELETE /api/organizations/{organizationId}/users/{userId}': async ({ deps, principal, params }) => {
      await removeUser(deps, principal, params.userId ?? '');
      return { statusCode: 204, body: '' };
    },

    'GET /api/organizations/{organizationId}/audit-events': async ({ deps, principal, query }) => {
      const limit = integerParameter(query, 'limit', 50, 1, 200);
      const page = await listAuditEvents(deps, principal, limit, query.get('after'));
      const base = `/api/organizations/${principal.organizationId}/audit-events`;
      return json(200, {
        member: page.events.map(auditResource),
        next: page.next ? `${base}?limit=${limit}&after=${page.next}` : null,
      });
    },
  };
}
