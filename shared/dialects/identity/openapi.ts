import * as z from 'zod';
import { ROLES } from '../../domain/identity.ts';
import { ALL_SCOPES } from '../../domain/organization.ts';
import type { DialectDoc, OperationDoc } from '../../openapi/operation-doc.ts';
import {
  changePasswordSchema,
  changeRoleSchema,
  createTokenSchema,
  createUserSchema,
  loginSchema,
  refreshSchema,
} from './operations.ts';

const isoDate = z.string().describe('ISO 8601 date-time');
const scopes = z.array(z.enum(ALL_SCOPES as [string, ...string[]]));

const user = z.object({
  '@id': z.string(),
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES as [string, ...string[]]),
  organizationId: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

const session = z.object({
  token: z.string().describe('The JWT access token: send as `Authorization: Bearer <token>`'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
  expiresAt: isoDate,
  refreshToken: z.string().describe('For POST /api/auth/refresh'),
  refreshTokenExpiresAt: isoDate,
  organizationId: z.number().int(),
  scopes,
  user,
});

export const apiToken = z.object({
  '@id': z.string(),
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to recognize it'),
  scopes,
  status: z.enum(['active', 'revoked', 'expired']),
  createdAt: isoDate,
  expiresAt: isoDate.nullable(),
  lastUsedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
});

export const auditEvent = z.object({
  id: z.string(),
  at: isoDate,
  actor: z.string().describe('`user:<id>` or `token:<id>`'),
  action: z.string().describe('The route key, e.g. `POST /api/organizations/{organizationId}/certificates`'),
  target: z.record(z.string(), z.string()),
  resource: z.string().nullable(),
  status: z.number().int(),
  sourceIp: z.string(),
  userAgent: z.string(),
  requestId: z.string(),
});

const collectionOf = (member: z.ZodType) => z.object({ totalItems: z.number().int(), member: z.array(member) });

/** RFC 7807 problem document in JSON-LD (the platform dialect's contexts); `violations` on 422. */
export const identityError = z.object({
  '@context': z.string(),
  '@type': z.enum(['hydra:Error', 'ConstraintViolationList']),
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  violations: z.array(z.object({ propertyPath: z.string(), message: z.string() })).optional(),
});

const json = (schema: z.ZodType) => ({ schema, mediaTypes: ['application/json'] });
const users = '/api/organizations/{organizationId}/users';

const operations: Record<string, OperationDoc> = {
  'POST /api/auth/login': {
    operationId: 'identityLogin',
    summary: 'Sign in with email and password: a JWT access token and a refresh token',
    body: json(loginSchema),
    replies: { 200: { description: 'session started', schema: session } },
    errors: [401, 422, 429],
  },
  'POST /api/auth/refresh': {
    operationId: 'identityRefresh',
    summary: 'Exchange a refresh token for a new session',
    body: json(refreshSchema),
    replies: { 200: { description: 'session renewed', schema: session } },
    errors: [401, 422],
  },
  'POST /api/auth/password': {
    operationId: 'identityChangePassword',
    summary: 'Change one\'s own password (users only, not API tokens); earlier tokens stop working',
    body: json(changePasswordSchema),
    replies: { 204: { description: 'password changed' } },
    errors: [422, 429],
  },
  'POST /api/api-tokens': {
    operationId: 'identityCreateApiToken',
    summary: 'Create an API token (its plaintext is shown in this reply only)',
    body: json(createTokenSchema),
    replies: {
      201: {
        description: 'token created',
        schema: apiToken.extend({ token: z.string().describe('The plaintext token, `cw_...`: shown once') }),
        headers: { Location: 'The token resource' },
      },
    },
    errors: [422],
  },
  'GET /api/api-tokens': {
    operationId: 'identityListApiTokens',
    summary: 'List API tokens (never their secret)',
    replies: { 200: { description: 'tokens', schema: collectionOf(apiToken) } },
  },
  'GET /api/api-tokens/{id}': {
    operationId: 'identityGetApiToken',
    summary: 'Get an API token (the @id of a listed one; never its secret)',
    replies: { 200: { description: 'token', schema: apiToken } },
  },
  'DELETE /api/api-tokens/{id}': {
    operationId: 'identityRevokeApiToken',
    summary: 'Revoke an API token',
    replies: { 204: { description: 'token revoked' } },
  },
  [`GET ${users}`]: {
    operationId: 'identityListUsers',
    summary: 'List the users of the organization',
    replies: { 200: { description: 'users', schema: collectionOf(user) } },
  },
  [`POST ${users}`]: {
    operationId: 'identityCreateUser',
    summary: 'Add a user',
    body: json(createUserSchema),
    replies: { 201: { description: 'user created', schema: user, headers: { Location: 'The user resource' } } },
    errors: [409, 422],
  },
  [`GET ${users}/{userId}`]: {
    operationId: 'identityGetUser',
    summary: 'Get a user (the @id of a listed one)',
    replies: { 200: { description: 'user', schema: user } },
  },
  [`PATCH ${users}/{userId}`]: {
    operationId: 'identityChangeRole',
    summary: 'Change a user\'s role',
    body: { schema: changeRoleSchema, mediaTypes: ['application/json', 'application/merge-patch+json'] },
    replies: { 200: { description: 'user updated', schema: user } },
    errors: [409, 422],
  },
  [`DELETE ${users}/{userId}`]: {
    operationId: 'identityRemoveUser',
    summary: 'Remove a user (never the last owner)',
    replies: { 204: { description: 'user removed' } },
    errors: [409],
  },
  'GET /api/organizations/{organizationId}/audit-events': {
    operationId: 'identityListAuditEvents',
    summary: 'The audit log: every successful write, newest first',
    query: {
      limit: z.number().int().min(1).max(200).default(50).describe('Events per page'),
      after: z.string().describe('The cursor from the previous page\'s `next`'),
    },
    replies: {
      200: { description: 'a page of events', schema: z.object({ member: z.array(auditEvent), next: z.string().nullable() }) },
    },
  },
};

/** Identity: sessions, API tokens, users, audit log. */
export const identityApiDoc: DialectDoc = {
  tag: { name: 'identity', description: 'Sign-in (JWT), API tokens, users and roles, the audit log. Errors are RFC 7807 problem documents.' },
  mediaType: 'application/json',
  error: { name: 'IdentityError', schema: identityError, mediaType: 'application/problem+json' },
  components: { Session: session, User: user, ApiToken: apiToken, AuditEvent: auditEvent },
  operations,
};
