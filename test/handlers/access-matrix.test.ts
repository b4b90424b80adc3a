import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../shared/domain/organization.ts';
import { ALL_SCOPES } from '../../shared/domain/organization.ts';
import { ROUTES, routeKeyOf } from '../../shared/http/routes.ts';
import type { RouteDefinition } from '../../shared/http/routes.ts';
import { signingKeySecretName } from '../../shared/use-cases/access-tokens.ts';
import { displayPrefix, generateTokenValue, hashToken } from '../../shared/use-cases/api-tokens.ts';
import { createPki } from '../support/certificates.ts';
import type { Leaf } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { ApiReply, TestApi } from '../support/local-api.ts';

/**
 * Every route of every dialect x every kind of credential (9 cells), generated from ROUTES: a route added without a scope,
 * or with a path id this file cannot make a resource for, fails here until it is covered.
 */

/** Routes that answer without a credential, on purpose. Anything else must name a scope. */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  // The CA fetches HTTP-01 key authorizations anonymously (RFC 8555 section 8.3).
  'GET /.well-known/acme-challenge/{token}',
  // The same, where a domain's web server redirects the CA to (docs/http-01.md).
  'GET /.well-known/acme-challenge/{organizationId}/{token}',
  // The JSON-LD entrypoint, contexts and Hydra documentation describe the API, not an organization's data.
  'GET /api',
  'GET /api/docs.jsonld',
  'GET /api/contexts/{shortName}',
]);

/** Routes only a signed-in user can use: an API token with every scope still gets 403 (it has no password). */
const USER_ONLY_ROUTES: ReadonlySet<string> = new Set(['POST /api/auth/password']);

/**
 * What a correct credential (token and JWT alike, except where USER_ONLY_ROUTES says) gets on each guarded route, with
 * ids that name nothing and, for writes, an empty JSON object: the route's own answer, exactly, so a 500 or a wrong
 * 4xx fails. 200 for a list; 404 for an id that names nothing; else the dialect's answer to the empty body (422 in
 * the platform and identity dialects, 400 in the admin and projects ones; 415 for a PATCH, which needs
 * application/merge-patch+json). A route missing here fails the matrix until its status is written down. A route
 * without its operation cannot pass for one of the 404s: it fails tsc (operation maps are typed by route key) and,
 * built anyway, answers 500, and the matrix checks that no 404 is the routing's.
 */
const CORRECT_CREDENTIAL_STATUS: Readonly<Record<string, number>> = {
  'GET /api/organizations/{organizationId}/certificates': 200,
  'POST /api/organizations/{organizationId}/certificates': 422,
  'GET /api/organizations/{organizationId}/certificates/{id}': 404,
  'PATCH /api/organizations/{organizationId}/certificates/{id}': 415,
  'DELETE /api/organizations/{organizationId}/certificates/{id}': 404,
  'POST /api/organizations/{organizationId}/certificates/{id}/revoke': 404,
  'POST /api/organizations/{organizationId}/certificates/{id}/renew': 404,
  'GET /api/organizations/{organizationId}/certificates/{id}/sans/{sanId}': 404,
  'GET /api/organizations/{organizationId}/certificates/{id}/attempts/{attemptId}': 404,
  'GET /api/organizations/{organizationId}/projects': 200,
  'POST /api/organizations/{organizationId}/projects': 422,
  'GET /api/organizations/{organizationId}/projects/{id}': 404,
  'PATCH /api/organizations/{organizationId}/projects/{id}': 415,
  'DELETE /api/organizations/{organizationId}/projects/{id}': 404,
  'GET /api/organizations/{organizationId}/hostname-mappings': 200,
  'POST /api/organizations/{organizationId}/hostname-mappings': 422,
  'GET /api/organizations/{organizationId}/hostname-mappings/{hostname}': 404,
  'PATCH /api/organizations/{organizationId}/hostname-mappings/{hostname}': 415,
  'DELETE /api/organizations/{organizationId}/hostname-mappings/{hostname}': 404,
  'GET /api/v1/projects/{id}/certificate': 404,
  'DELETE /api/v1/projects/{id}/certificate': 404,
  'POST /api/v1/projects/{id}/certificate/upload': 400,
  'POST /api/v1/projects/{id}/certificate/validate': 400,
  'GET /api/v1/projects/{id}/certificate/status': 404,
  'POST /api/v1/projects/{id}/certificate/obtain': 404,
  'POST /api/v1/projects/{id}/certificate/renew': 404,
  'POST /api/v1/projects/{id}/certificate/revoke': 404,
  'GET /v1/organization/certificates': 200,
  'POST /v1/organization/certificates': 400,
  'POST /v1/organization/certificates/activate': 400,
  'POST /v1/organization/certificates/deactivate': 400,
  'GET /v1/organization/certificates/{certificate_id}': 404,
  'POST /v1/organization/certificates/{certificate_id}': 400,
  'DELETE /v1/organization/certificates/{certificate_id}': 404,
  'GET /v1/organization/projects/{project_id}/certificates': 404,
  'POST /v1/organization/projects/{project_id}/certificates/activate': 400,
  'POST /v1/organization/projects/{project_id}/certificates/deactivate': 400,
  'POST /api/auth/password': 422,
  'POST /api/api-tokens': 422,
  'GET /api/api-tokens': 200,
  'GET /api/api-tokens/{id}': 404,
  'DELETE /api/api-tokens/{id}': 404,
  'GET /api/organizations/{organizationId}/users': 200,
  'POST /api/organizations/{organizationId}/users': 422,
  'GET /api/organizations/{organizationId}/users/{userId}': 404,
  'PATCH /api/organizations/{organizationId}/users/{userId}': 422,
  'DELETE /api/organizations/{organizationId}/users/{userId}': 404,
  'GET /api/organizations/{organizationId}/audit-events': 200,
  'GET /api/organizations/{organizationId}/dns-zones': 200,
  'POST /api/organizations/{organizationId}/dns-zones': 422,
  'GET /api/organizations/{organizationId}/dns-zones/{zoneName}': 404,
  'DELETE /api/organizations/{organizationId}/dns-zones/{zoneName}': 404,
  // The operator's routes: the "correct token" there is the operator's; every organization credential gets 403.
  'GET /api/operator/organizations': 200,
  'POST /api/operator/organizations': 422,
  'GET /api/operator/organizations/{orgId}': 404,
  'POST /api/operator/organizations/{orgId}/suspend': 404,
  'POST /api/operator/organizations/{orgId}/reinstate': 404,
  'POST /api/operator/organizations/{orgId}/api-tokens': 422,
  'GET /api/operator/organizations/{orgId}/dns-zones': 404,
  'POST /api/operator/organizations/{orgId}/dns-zones': 422,
  'DELETE /api/operator/organizations/{orgId}/dns-zones/{zoneName}': 404,
  'GET /api/operator/audit-events': 200,
};

/** Routes of the operator, above every organization: no organization credential, not even an owner's, may use them. */
const isOperatorRoute = (route: RouteDefinition): boolean => route.scope?.startsWith('operator:') ?? false;

/**
 * What each public route answers without a credential to the matrix's request (an empty JSON body, an absent
 * challenge token): its own answer, exactly, not merely "not 401/403".
 */
const PUBLIC_ANSWERS: Readonly<Record<string, { status: number; text: RegExp }>> = {
  'POST /api/auth/login': { status: 422, text: /"propertyPath":"email".*"propertyPath":"password"/ },
  'POST /api/auth/refresh': { status: 422, text: /"propertyPath":"refreshToken"/ },
  'GET /.well-known/acme-challenge/{token}': { status: 404, text: /^Not Found\n$/ },
  'GET /.well-known/acme-challenge/{organizationId}/{token}': { status: 404, text: /^Not Found\n$/ },
  'GET /api': { status: 200, text: /"@type":"Entrypoint"/ },
  'GET /api/docs.jsonld': { status: 200, text: /"@type":"hydra:ApiDocumentation"/ },
  // The matrix's value names no class: the platform dialect's 404 problem.
  'GET /api/contexts/{shortName}': { status: 404, text: /"@type":"hydra:Error".*"status":404/ },
};

/**
 * Bodies that pass validation, for the routes by id that validate the body before they look the id up: with one of
 * these, only the tenancy check can answer, so another organization's resource must get the 404 an absent one gets.
 */
const FOREIGN_BODIES: Readonly<Record<string, () => unknown>> = {
  'POST /api/v1/projects/{id}/certificate/upload': () => ({ certificate: other.leaf.certificatePem, privateKey: other.leaf.privateKeyPem }),
  'POST /api/v1/projects/{id}/certificate/validate': () => ({ certificate: other.leaf.certificatePem, privateKey: other.leaf.privateKeyPem }),
  'POST /v1/organization/certificates/{certificate_id}': () => ({ name: 'matrix: renamed by another organization' }),
  'POST /v1/organization/projects/{project_id}/certificates/activate': () => ({ certificate_ids: [other.resources.certificate] }),
  'POST /v1/organization/projects/{project_id}/certificates/deactivate': () => ({ certificate_ids: [other.resources.certificate] }),
};

type ResourceKind = 'certificate' | 'project' | 'token' | 'user' | 'hostname' | 'zone';

/** What a path parameter identifies, from its name or the collection segment in front of it. */
function resourceKindOf(path: string, parameter: string): ResourceKind | null {
  if (parameter === 'certificate_id') return 'certificate';
  if (parameter === 'project_id') return 'project';
  const segments = path.split('/');
  const collection = segments[segments.indexOf(`{${parameter}}`) - 1];
  const kinds: Record<string, ResourceKind> = {
    certificates: 'certificate',
    projects: 'project',
    'api-tokens': 'token',
    users: 'user',
    'hostname-mappings': 'hostname',
    'dns-zones': 'zone',
  };
  return (collection ? kinds[collection] : undefined) ?? null;
}

const parametersOf = (path: string): string[] => [...path.matchAll(/\{(\w+)\+?\}/g)].map((match) => match[1]!);

/** A value that names nothing that exists. */
const absent = (kind: ResourceKind | null): string =>
  kind === 'hostname' || kind === 'zone' ? `absent-${randomUUID().slice(0, 8)}.example.test` : randomUUID();

const fill = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(values[name]!));

type Cell =
  | 'no credential'
  | 'wrong organization'
  | 'lacking the scope'
  | 'expired token'
  | 'revoked token'
  | 'tampered JWT'
  | 'expired JWT'
  | 'correct token'
  | 'correct JWT';

let api: TestApi;
/** Organization B: its token, and one real resource of each kind that routes name by id alone. */
let other: { organizationId: number; token: string; resources: Partial<Record<ResourceKind, string>>; leaf: Leaf };
let credentials: { expired: string; revoked: string; ownerJwt: string; tamperedJwt: string; expiredJwt: string };
const lackingTokens = new Map<Scope, Promise<string>>();

async function putToken(scopes: readonly Scope[], extra: { expiresAt?: string; revokedAt?: string } = {}): Promise<string> {
  const plaintext = generateTokenValue();
  await api.stack.deps.identity.putToken({
    id: randomUUID(),
    organizationId: api.organizationId,
    name: 'matrix',
    tokenHash: hashToken(plaintext),
    prefix: displayPrefix(plaintext),
    scopes: [...scopes],
    createdAt: new Date().toISOString(),
    expiresAt: extra.expiresAt ?? null,
    revokedAt: extra.revokedAt ?? null,
  });
  return plaintext;
}

/** A token of organization A with every scope except the route's (and `admin`, which implies all). */
function tokenLacking(scope: Scope): Promise<string> {
  let token = lackingTokens.get(scope);
  if (!token) {
    token = putToken(ALL_SCOPES.filter((granted) => granted !== scope && granted !== 'admin'));
    lackingTokens.set(scope, token);
  }
  return token;
}

const hasBody = (route: RouteDefinition) => route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT';

/** Sends the route's request; writes carry an empty JSON object (unless `body` is given), so nothing is created by a cell that passes. */
function send(route: RouteDefinition, path: string, auth: { token?: string; jwt?: string }, body: unknown = {}): Promise<ApiReply> {
  const headers: Record<string, string> = auth.jwt ? { authorization: `Bearer ${auth.jwt}` } : {};
  return api.request(route.method, path, { token: auth.token ?? null, headers, ...(hasBody(route) ? { body } : {}) });
}

/** The same claims, signed with the real key (read from the secret store), but expired a minute ago. */
async function expiredCopy(claims: Record<string, unknown>): Promise<string> {
  const stored = JSON.parse((await api.stack.deps.secrets.get(signingKeySecretName(api.stack.deps))) ?? '{}');
  const key = (await importJWK(stored.privateJwk, 'ES256')) as Parameters<SignJWT['sign']>[0];
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, iat: now - 3600, exp: now - 60 }).setProtectedHeader({ alg: 'ES256', kid: stored.kid, typ: 'at+jwt' }).sign(key);
}

beforeAll(async () => {
  api = await startTestApi();
  const b = await createOrganizationWithToken(api.stack.deps);
  const bPath = `/api/organizations/${b.organization.id}`;
  const leaf = await (await createPki()).leaf({ names: ['matrix-b.example.test'] });
  const [certificate, project, token] = await Promise.all([
    api.request('POST', `${bPath}/certificates`, { token: b.token, body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem } }),
    api.request('POST', `${bPath}/projects`, { token: b.token, body: { name: 'matrix b', domain: 'matrix-b.example.test' } }),
    api.request('POST', '/api/api-tokens', { token: b.token, body: { name: 'matrix b', scopes: ['certificates:read'] } }),
  ]);
  expect([certificate.status, project.status, token.status]).toEqual([201, 201, 201]);
  other = {
    organizationId: b.organization.id,
    token: b.token,
    resources: { certificate: certificate.body.id, project: project.body.id, token: token.body.id },
    leaf,
  };

  const email = `matrix-owner-${randomUUID().slice(0, 8)}@example.test`;
  const created = await api.request('POST', `/api/organizations/${api.organizationId}/users`, {
    body: { email, password: 'matrix owner password', role: 'owner' },
  });
  expect(created.status).toBe(201);
  const session = await api.request('POST', '/api/auth/login', { token: null, body: { email, password: 'matrix owner password' } });
  expect(session.status).toBe(200);
  const [header, payload, signature] = String(session.body.token).split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const forged = Buffer.from(JSON.stringify({ ...claims, scopes: [...ALL_SCOPES], exp: claims.exp + 86_400 })).toString('base64url');
  credentials = {
    expired: await putToken(ALL_SCOPES, { expiresAt: new Date(Date.now() - 60_000).toISOString() }),
    revoked: await putToken(ALL_SCOPES, { revokedAt: new Date(Date.now() - 60_000).toISOString() }),
    ownerJwt: session.body.token,
    tamperedJwt: `${header}.${forged}.${signature}`,
    expiredJwt: await expiredCopy(claims),
  };
});
afterAll(() => api.stop());

describe('route table', () => {
  it('names a scope for every route except the public allow-list', () => {
    const unscoped = ROUTES.filter((route) => route.scope === null).map(routeKeyOf);
    expect(unscoped.filter((key) => !PUBLIC_ROUTES.has(key))).toEqual([]);
    // The allow-list holds nothing that is not (or no longer) a public route.
    expect([...PUBLIC_ROUTES].filter((key) => !unscoped.includes(key))).toEqual([]);
  });

  it('writes down the exact answer of every route, and of no route that is gone', () => {
    const guardedKeys = ROUTES.filter((route) => route.scope !== null).map(routeKeyOf);
    expect(guardedKeys.filter((key) => !(key in CORRECT_CREDENTIAL_STATUS))).toEqual([]);
    expect(Object.keys(CORRECT_CREDENTIAL_STATUS).filter((key) => !guardedKeys.includes(key))).toEqual([]);
    expect(Object.keys(PUBLIC_ANSWERS).sort()).toEqual([...PUBLIC_ROUTES].sort());
    expect(Object.keys(FOREIGN_BODIES).filter((key) => !guardedKeys.includes(key))).toEqual([]);
  });

  it.each(ROUTES.filter((route) => PUBLIC_ROUTES.has(routeKeyOf(route))).map((route) => [routeKeyOf(route), route] as const))(
    'public route %s answers without a credential, with its own answer',
    async (key, route) => {
      const values = Object.fromEntries(parametersOf(route.path).map((name) => [name, absent(resourceKindOf(route.path, name))]));
      const reply = await send(route, fill(route.path, values), {});
      const expected = PUBLIC_ANSWERS[key];
      expect({ status: reply.status, text: reply.text }).toEqual({ status: expected?.status, text: expect.stringMatching(expected?.text ?? /^$/) });
    },
  );
});

const guarded = ROUTES.filter((route) => route.scope !== null);

describe('access matrix', () => {
  it.each(guarded.map((route) => [routeKeyOf(route), route] as const))('%s', async (key, route) => {
    const scope = route.scope as Scope;
    const parameters = parametersOf(route.path);
    const carriesOrganization = parameters.includes('organizationId');
    const ids = parameters.filter((name) => name !== 'organizationId');

    // Organization A's view: its own organization, ids of things that do not exist.
    const own: Record<string, string> = { organizationId: String(api.organizationId) };
    for (const name of ids) own[name] = absent(resourceKindOf(route.path, name));
    const ownPath = fill(route.path, own);

    // Organization B's things, asked for with A's credential: B's organization id, or B's real resources by id.
    let foreignPath: string | null = null;
    // The operator belongs to no organization, so there is no other organization's view to ask for.
    if (isOperatorRoute(route)) foreignPath = null;
    else if (carriesOrganization) {
      foreignPath = fill(route.path, { ...own, organizationId: String(other.organizationId) });
    } else if (ids.length > 0) {
      const foreign: Record<string, string> = {};
      for (const name of ids) {
        const kind = resourceKindOf(route.path, name);
        const resource = kind ? other.resources[kind] : undefined;
        if (!resource) throw new Error(`${key}: no organization-B fixture for {${name}}; add one to access-matrix.test.ts`);
        foreign[name] = resource;
      }
      foreignPath = fill(route.path, foreign);
    }

    /** The replies to the correct credentials, kept to tell a resource's 404 from a route without its operation. */
    const correctReplies: ApiReply[] = [];
    const statuses = async (): Promise<Record<Cell, number | null>> => {
      const [none, wrongOrganization, lacking, expired, revoked, tampered, expiredJwt, correct, correctJwt] = await Promise.all([
        send(route, ownPath, {}),
        foreignPath ? send(route, foreignPath, { token: api.token }, FOREIGN_BODIES[key]?.() ?? {}) : Promise.resolve(null),
        tokenLacking(scope).then((token) => send(route, ownPath, { token })),
        send(route, ownPath, { token: credentials.expired }),
        send(route, ownPath, { token: credentials.revoked }),
        send(route, ownPath, { jwt: credentials.tamperedJwt }),
        send(route, ownPath, { jwt: credentials.expiredJwt }),
        send(route, ownPath, { token: isOperatorRoute(route) ? api.operatorToken : api.token }),
        send(route, ownPath, { jwt: credentials.ownerJwt }),
      ]);
      correctReplies.push(correct, correctJwt);
      return {
        'no credential': none.status,
        'wrong organization': wrongOrganization?.status ?? null,
        'lacking the scope': lacking.status,
        'expired token': expired.status,
        'revoked token': revoked.status,
        'tampered JWT': tampered.status,
        'expired JWT': expiredJwt.status,
        'correct token': correct.status,
        'correct JWT': correctJwt.status,
      };
    };

    // A correct credential passes authentication and authorization and gets the route's own answer, exactly.
    const expected = CORRECT_CREDENTIAL_STATUS[key];
    if (expected === undefined) throw new Error(`${key}: no expected status for a correct credential; add it to CORRECT_CREDENTIAL_STATUS`);
    const actual = await statuses();
    // Another organization's resource must look absent: 404, from the tenancy check itself (FOREIGN_BODIES gets the
    // routes that validate the body first past that validation).
    expect({ ...actual, 'wrong organization': foreignPath ? actual['wrong organization'] : 'not applicable' }).toEqual({
      'no credential': 401,
      'wrong organization': foreignPath ? 404 : 'not applicable',
      'lacking the scope': 403,
      'expired token': 401,
      'revoked token': 401,
      'tampered JWT': 401,
      'expired JWT': 401,
      'correct token': USER_ONLY_ROUTES.has(key) ? 403 : expected,
      // An organization owner's session is no operator's: 403 on the operator's routes.
      'correct JWT': isOperatorRoute(route) ? 403 : expected,
    });
    // A 404 here is the route's own answer (an id that names nothing), never the one for a route without its
    // operation: that is a fault (500) since operation maps are typed by their function's routes, and this keeps it so.
    for (const reply of correctReplies) expect(reply.text).not.toMatch(/No route for|No operation for/);
  });
});
