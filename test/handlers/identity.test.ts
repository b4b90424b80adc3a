import { execFile } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { promisify } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK } from 'jose';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { ROLE_SCOPES } from '../../shared/domain/identity.ts';
import { ALL_SCOPES } from '../../shared/domain/organization.ts';
import { signingKeySecretName } from '../../shared/use-cases/access-tokens.ts';
import { SCRYPT_LIMITS } from '../../shared/use-cases/passwords.ts';
import { displayPrefix, generateTokenValue, hashToken } from '../../shared/use-cases/api-tokens.ts';
import { createPki } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { ApiReply, TestApi } from '../support/local-api.ts';
import { captureProcessOutput } from '../support/process-output.ts';
import type { ProcessOutput } from '../support/process-output.ts';

let api: TestApi;
let usersPath: string;
const OWNER = { email: `owner-${randomUUID().slice(0, 8)}@example.test`, password: 'correct horse battery staple' };

/** A request from another loopback address, so the per-source login throttle sees a different client. */
function requestFrom(sourceIp: string, method: string, path: string, body: unknown): Promise<ApiReply> {
  const url = new URL(path, api.stack.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, localAddress: sourceIp, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers(Object.entries(res.headers).map(([name, value]) => [name, String(value)]));
          resolve({ status: res.statusCode ?? 0, headers, body: text ? JSON.parse(text) : null, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const login = (email: string, password: string, sourceIp = '127.0.0.1') => requestFrom(sourceIp, 'POST', '/api/auth/login', { email, password });
const bearer = (jwt: string) => ({ token: null, headers: { authorization: `Bearer ${jwt}` } });

async function createUser(role: string, email = `${role}-${randomUUID().slice(0, 8)}@example.test`, password = 'a long enough password') {
  const reply = await api.request('POST', usersPath, { body: { email, password, role } });
  expect(reply.status).toBe(201);
  return { id: reply.body.id as string, email, password };
}

/** The private JWK the API signs with, read from the secret store as an operator could. */
async function signingJwk(): Promise<JWK & { kid: string }> {
  const stored = JSON.parse((await api.stack.deps.secrets.get(signingKeySecretName(api.stack.deps))) ?? '{}');
  return { ...stored.privateJwk, kid: stored.kid };
}

/** Everything the process writes (the handlers run in it, so their logs too), to prove no secret is logged. */
let output: ProcessOutput;

beforeAll(async () => {
  output = captureProcessOutput();
  api = await startTestApi();
  usersPath = `/api/organizations/${api.organizationId}/users`;
  await createUser('owner', OWNER.email, OWNER.password);
});
afterAll(async () => {
  output.restore();
  await api.stop();
});

describe('login and JWT access tokens', () => {
  it('returns a short-lived ES256 JWT with issuer, audience, organization and scopes that works on every dialect', async () => {
    const reply = await login(OWNER.email.toUpperCase(), OWNER.password);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toMatchObject({ tokenType: 'Bearer', organizationId: api.organizationId, user: { email: OWNER.email, role: 'owner' } });
    // 15 minutes, counted from when the reply is written (the token's exp is in whole seconds): 900, or 899 past a second's turn.
    expect(reply.body.expiresIn).toBeGreaterThanOrEqual(899);
    expect(reply.body.expiresIn).toBeLessThanOrEqual(900);
    expect(reply.body.refreshToken).toMatch(/^cwr_/);
    const header = decodeProtectedHeader(reply.body.token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(reply.body.token);
    expect(claims).toMatchObject({ iss: 'certwright', aud: 'certwright-api', org: api.organizationId, sub: expect.stringMatching(/^user:/) });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.scopes).toEqual([...ROLE_SCOPES.owner]);

    const certificates = await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, bearer(reply.body.token));
    expect(certificates.status).toBe(200);
    const users = await api.request('GET', usersPath, bearer(reply.body.token));
    expect(users.status).toBe(200);
    expect(users.body.member.map((user: { email: string }) => user.email)).toContain(OWNER.email);
  });

  it('answers an unknown email and a wrong password with the same 401, and counts both as failures', async () => {
    const unknown = await login(`nobody-${randomUUID()}@example.test`, 'whatever it is', '127.0.0.2');
    const wrong = await login(OWNER.email, 'not the password', '127.0.0.2');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    const counters = await api.stack.deps.identity.getLoginFailures(['source:127.0.0.2']);
    expect(counters.get('source:127.0.0.2')?.failures).toBe(2);
  });

  it('refuses expired, tampered, wrong-audience, wrong-issuer, foreign-key, alg:none and HS/RS-confused tokens with 401', async () => {
    const { body } = await login(OWNER.email, OWNER.password);
    const claims = decodeJwt(body.token);
    const jwk = await signingJwk();
    const realKey = (await importJWK(jwk, 'ES256')) as Parameters<SignJWT['sign']>[0];
    const now = Math.floor(Date.now() / 1000);
    const sign = (overrides: { aud?: string; iss?: string; exp?: number; iat?: number; typ?: string }, key = realKey, alg = 'ES256') =>
      new SignJWT({ org: claims.org, scopes: claims.scopes })
        .setProtectedHeader({ alg, kid: jwk.kid, typ: overrides.typ ?? 'at+jwt' })
        .setIssuer(overrides.iss ?? 'certwright')
        .setAudience(overrides.aud ?? 'certwright-api')
        .setSubject(String(claims.sub))
        .setIssuedAt(overrides.iat ?? now)
        .setExpirationTime(overrides.exp ?? now + 600)
        .setJti(randomUUID())
        .sign(key);

    const [header, payload, signature] = String(body.token).split('.') as [string, string, string];
    const elevated = Buffer.from(JSON.stringify({ ...claims, org: claims.org === 1 ? 2 : 1 })).toString('base64url');
    const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const rsa = await generateKeyPair('RS256');
    const otherEc = await generateKeyPair('ES256');
    const cases: Record<string, string> = {
      'the genuine token (control)': body.token,
      expired: await sign({ iat: now - 3600, exp: now - 60 }),
      'tampered payload': `${header}.${elevated}.${signature}`,
      'tampered signature': `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
      'wrong audience': await sign({ aud: 'some-other-api' }),
      'wrong issuer': await sign({ iss: 'https://evil.example' }),
      'wrong type': await sign({ typ: 'JWT' }),
      'signed by another EC key': await sign({}, otherEc.privateKey),
      'alg none': new UnsecuredJWT({ ...claims }).encode(),
      'HS256 with the public key as secret': await sign({}, new TextEncoder().encode(String(publicPem)) as unknown as Parameters<SignJWT['sign']>[0], 'HS256'),
      'RS256 with an attacker key': await sign({}, rsa.privateKey, 'RS256'),
      'not a JWT at all': 'eyJhbGciOi.garbage',
    };
    const statuses = Object.fromEntries(
      await Promise.all(
        Object.entries(cases).map(async ([name, jwt]) => [name, (await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, bearer(jwt))).status]),
      ),
    );
    expect(statuses).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, name.includes('control') ? 200 : 401])));
  });

  it('accepts API tokens as X-API-TOKEN and as Authorization: Bearer cw_...', async () => {
    const path = `/api/organizations/${api.organizationId}/certificates`;
    expect((await api.request('GET', path)).status).toBe(200);
    expect((await api.request('GET', path, bearer(api.token))).status).toBe(200);
    expect((await api.request('GET', path, bearer(`${api.token}x`))).status).toBe(401);
  });
});

describe('refresh tokens', () => {
  it('rotates on use; a reused refresh token is refused and ends the whole session family', async () => {
    const first = await login(OWNER.email, OWNER.password);
    const second = await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: first.body.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await api.request('GET', usersPath, bearer(second.body.token))).status).toBe(200);

    const replay = await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: first.body.refreshToken } });
    expect(replay.status).toBe(401);
    const afterReplay = await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: second.body.refreshToken } });
    expect(afterReplay.status).toBe(401);
    const garbage = await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: 'cwr_nope' } });
    expect(garbage.status).toBe(401);
    const apiTokenAsRefresh = await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: api.token } });
    expect(apiTokenAsRefresh.status).toBe(401);
  });
});

describe('API tokens', () => {
  it('creates a token shown once, lists it without the secret, records its use, and revocation stops it at once', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await api.request('POST', '/api/api-tokens', { body: { name: 'ci deploy', scopes: ['certificates:read'], expiresAt } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ci deploy', scopes: ['certificates:read'], status: 'active', lastUsedAt: null });
    expect(created.body.token).toMatch(/^cw_[\w-]{43}$/);
    expect(created.body.prefix).toBe(created.body.token.slice(0, 9));
    expect(created.headers.get('location')).toBe(`/api/api-tokens/${created.body.id}`);
    const plaintext: string = created.body.token;

    const use = await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, { token: plaintext });
    expect(use.status).toBe(200);
    const listed = await api.request('GET', '/api/api-tokens');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(plaintext);
    expect(listed.text).not.toContain(hashToken(plaintext));
    const entry = listed.body.member.find((token: { id: string }) => token.id === created.body.id);
    expect(entry).toMatchObject({ name: 'ci deploy', prefix: created.body.prefix, status: 'active', expiresAt: expect.any(String) });
    expect(entry).not.toHaveProperty('token');
    expect(entry).not.toHaveProperty('tokenHash');
    expect(Date.parse(entry.lastUsedAt)).toBeGreaterThan(Date.parse(created.body.createdAt) - 1);

    expect((await api.request('DELETE', `/api/api-tokens/${created.body.id}`)).status).toBe(204);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, { token: plaintext })).status).toBe(401);
    const after = await api.request('GET', '/api/api-tokens');
    expect(after.body.member.find((token: { id: string }) => token.id === created.body.id)).toMatchObject({ status: 'revoked' });
  });

  it('refuses an expired token at once', async () => {
    const plaintext = generateTokenValue();
    await api.stack.deps.identity.putToken({
      id: randomUUID(),
      organizationId: api.organizationId,
      name: 'expired',
      tokenHash: hashToken(plaintext),
      prefix: displayPrefix(plaintext),
      scopes: [...ALL_SCOPES],
      createdAt: new Date(Date.now() - 10_000).toISOString(),
      expiresAt: new Date(Date.now() - 1000).toISOString(),
      revokedAt: null,
    });
    expect((await api.request('GET', '/api/api-tokens', { token: plaintext })).status).toBe(401);
  });

  it('lets a token create tokens only with scopes it holds itself', async () => {
    const { token } = await createOrganizationWithToken(api.stack.deps, ['tokens:manage', 'certificates:read']);
    const escalate = await api.request('POST', '/api/api-tokens', { token, body: { name: 'more', scopes: ['certificates:read', 'certificates:write'] } });
    expect(escalate.status).toBe(403);
    expect(escalate.body.detail).toContain('certificates:write');
    const admin = await api.request('POST', '/api/api-tokens', { token, body: { name: 'admin', scopes: ['admin'] } });
    expect(admin.status).toBe(403);
    const subset = await api.request('POST', '/api/api-tokens', { token, body: { name: 'less', scopes: ['certificates:read'] } });
    expect(subset.status).toBe(201);
  });

  it('rejects bad input with 4xx and another organization token id with 404', async () => {
    const bad = await api.request('POST', '/api/api-tokens', { body: { name: '', scopes: ['certificates:fly'], expiresAt: 'tomorrow' } });
    expect(bad.status).toBe(422);
    expect(bad.body.violations.map((violation: { propertyPath: string }) => violation.propertyPath).sort()).toEqual(['expiresAt', 'name', 'scopes.0']);
    const past = await api.request('POST', '/api/api-tokens', { body: { name: 'past', scopes: ['certificates:read'], expiresAt: '2001-01-01T00:00:00Z' } });
    expect(past.status).toBe(422);

    const other = await createOrganizationWithToken(api.stack.deps);
    const theirs = await api.request('POST', '/api/api-tokens', { token: other.token, body: { name: 'theirs', scopes: ['certificates:read'] } });
    expect((await api.request('DELETE', `/api/api-tokens/${theirs.body.id}`)).status).toBe(404);
    expect((await api.request('GET', '/api/api-tokens', { token: theirs.body.token })).status).toBe(403);
    const ours = await api.request('GET', '/api/api-tokens');
    expect(ours.body.member.map((token: { id: string }) => token.id)).not.toContain(theirs.body.id);
  });
});

describe('users', () => {
  it('creates, lists and removes users; a removed user is locked out at once', async () => {
    const member = await createUser('member');
    const list = await api.request('GET', usersPath);
    expect(list.body.member.find((user: { id: string }) => user.id === member.id)).toMatchObject({ email: member.email, role: 'member' });
    expect(list.text).not.toContain('passwordHash');
    expect(list.text).not.toContain(member.password);

    const session = await login(member.email, member.password);
    expect(session.status).toBe(200);
    expect(decodeJwt(session.body.token).scopes).toEqual([...ROLE_SCOPES.member]);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, bearer(session.body.token))).status).toBe(200);
    // A member manages no users.
    expect((await api.request('GET', usersPath, bearer(session.body.token))).status).toBe(403);

    expect((await api.request('DELETE', `${usersPath}/${member.id}`)).status).toBe(204);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, bearer(session.body.token))).status).toBe(401);
    expect((await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: session.body.refreshToken } })).status).toBe(401);
    expect((await login(member.email, member.password)).status).toBe(401);
    expect((await api.request('DELETE', `${usersPath}/${member.id}`)).status).toBe(404);
  });

  it('refuses duplicate emails (409), short passwords and unknown roles (422), and the removal of the last owner (409)', async () => {
    const duplicate = await api.request('POST', usersPath, { body: { email: OWNER.email.toUpperCase(), password: 'another long password', role: 'viewer' } });
    expect(duplicate.status).toBe(409);
    const weak = await api.request('POST', usersPath, { body: { email: 'weak@example.test', password: 'short', role: 'ghost' } });
    expect(weak.status).toBe(422);
    expect(weak.body.violations.map((violation: { propertyPath: string }) => violation.propertyPath)).toEqual(['role']);
    const short = await api.request('POST', usersPath, { body: { email: 'weak@example.test', password: 'short', role: 'viewer' } });
    expect(short.status).toBe(422);
    expect(short.body.violations).toEqual([{ propertyPath: 'password', message: expect.stringContaining('12') }]);

    const owners = (await api.request('GET', usersPath)).body.member.filter((user: { role: string }) => user.role === 'owner');
    expect(owners).toHaveLength(1);
    expect((await api.request('DELETE', `${usersPath}/${owners[0].id}`)).status).toBe(409);
  });

  it('changes roles with PATCH: sessions follow at once, admins cannot make owners, the last owner stays', async () => {
    const user = await createUser('admin');
    const session = await login(user.email, user.password);
    const asUser = bearer(session.body.token);
    const certificates = `/api/organizations/${api.organizationId}/certificates`;
    expect((await api.request('POST', certificates, { ...asUser, body: {} })).status).toBe(422);

    const demoted = await api.request('PATCH', `${usersPath}/${user.id}`, { body: { role: 'viewer' } });
    expect(demoted.status).toBe(200);
    expect(demoted.body).toMatchObject({ id: user.id, role: 'viewer' });
    // The same access token, issued while the user was an admin, now carries only a viewer's scopes.
    expect((await api.request('POST', certificates, { ...asUser, body: {} })).status).toBe(403);
    expect((await api.request('GET', certificates, asUser)).status).toBe(200);

    const admin = await createUser('admin');
    const asAdmin = bearer((await login(admin.email, admin.password)).body.token);
    expect((await api.request('PATCH', `${usersPath}/${user.id}`, { ...asAdmin, body: { role: 'owner' } })).status).toBe(403);
    expect((await api.request('PATCH', `${usersPath}/${user.id}`, { ...asAdmin, body: { role: 'member' } })).status).toBe(200);
    expect((await api.request('PATCH', `${usersPath}/${user.id}`, { body: { role: 'boss' } })).status).toBe(422);

    const owners = (await api.request('GET', usersPath)).body.member.filter((member: { role: string }) => member.role === 'owner');
    expect(owners).toHaveLength(1);
    const lastOwner = await api.request('PATCH', `${usersPath}/${owners[0].id}`, { body: { role: 'admin' } });
    expect(lastOwner.status).toBe(409);
  });

  it('lets an admin manage members but not owners, and nobody reach another organization’s users', async () => {
    const admin = await createUser('admin');
    const { body } = await login(admin.email, admin.password);
    const asAdmin = bearer(body.token);
    const owner = await api.request('POST', usersPath, { ...asAdmin, body: { email: `o-${randomUUID()}@example.test`, password: 'a long enough password', role: 'owner' } });
    expect(owner.status).toBe(403);
    const viewer = await api.request('POST', usersPath, { ...asAdmin, body: { email: `v-${randomUUID()}@example.test`, password: 'a long enough password', role: 'viewer' } });
    expect(viewer.status).toBe(201);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/audit-events`, asAdmin)).status).toBe(403);

    const other = await createOrganizationWithToken(api.stack.deps);
    const foreignUsers = `/api/organizations/${other.organization.id}/users`;
    const theirs = await api.request('POST', foreignUsers, { token: other.token, body: { email: `t-${randomUUID()}@example.test`, password: 'a long enough password', role: 'viewer' } });
    expect(theirs.status).toBe(201);
    expect((await api.request('GET', foreignUsers)).status).toBe(404);
    expect((await api.request('DELETE', `${foreignUsers}/${theirs.body.id}`)).status).toBe(404);
    expect((await api.request('DELETE', `${usersPath}/${theirs.body.id}`)).status).toBe(404);
  });

  it('changes one’s own password: earlier sessions end, the new password works, API tokens cannot', async () => {
    const viewer = await createUser('viewer');
    const before = await login(viewer.email, viewer.password);
    const asViewer = bearer(before.body.token);
    const wrong = await api.request('POST', '/api/auth/password', { ...asViewer, body: { currentPassword: 'not it at all', newPassword: 'a brand new password' } });
    expect(wrong.status).toBe(422);
    // Tokens issued in the same second as the change stay valid; make the old session visibly older.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const changed = await api.request('POST', '/api/auth/password', { ...asViewer, body: { currentPassword: viewer.password, newPassword: 'a brand new password' } });
    expect(changed.status).toBe(204);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, asViewer)).status).toBe(401);
    expect((await api.request('POST', '/api/auth/refresh', { token: null, body: { refreshToken: before.body.refreshToken } })).status).toBe(401);
    expect((await login(viewer.email, viewer.password)).status).toBe(401);
    expect((await login(viewer.email, 'a brand new password')).status).toBe(200);

    const byToken = await api.request('POST', '/api/auth/password', { body: { currentPassword: 'x', newPassword: 'a brand new password' } });
    expect(byToken.status).toBe(403);
  });
});

describe('login throttling', () => {
  it('slows an account down after 5 failures, even for the right password, without affecting other accounts', async () => {
    const victim = await createUser('viewer');
    const earlier = await login(victim.email, victim.password, '127.0.0.3');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await login(victim.email, `wrong guess ${attempt}`, '127.0.0.3')).status).toBe(401);
    }
    const locked = await login(victim.email, victim.password, '127.0.0.4');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.detail).toMatch(/Too many failed logins/);
    // The password cannot be guessed through the change-password route either, even with a live session.
    const change = await api.request('POST', '/api/auth/password', {
      ...bearer(earlier.body.token),
      body: { currentPassword: victim.password, newPassword: 'a brand new password' },
    });
    expect(change.status).toBe(429);
    expect((await login(OWNER.email, OWNER.password, '127.0.0.3')).status).toBe(200);
  });

  it('slows a source address down after 20 failures across accounts; other addresses are unaffected', async () => {
    const source = '127.0.0.5';
    // In groups the process checks at once (more are refused with 429 before any hashing, tested below).
    const failures = [];
    const inFlight = SCRYPT_LIMITS.running + SCRYPT_LIMITS.waiting;
    for (let start = 0; start < 20; start += inFlight) {
      const count = Math.min(inFlight, 20 - start);
      failures.push(
        ...(await Promise.all(
          Array.from({ length: count }, (_, index) => login(`guess-${start + index}-${randomUUID()}@example.test`, 'password guess', source)),
        )),
      );
    }
    expect(failures.map((reply) => reply.status)).toEqual(Array(20).fill(401));
    const next = await login(OWNER.email, OWNER.password, source);
    expect(next.status).toBe(429);
    expect((await login(OWNER.email, OWNER.password, '127.0.0.6')).status).toBe(200);
  });

  it('bounds the hashing a burst of logins can cause: beyond the cap they get 429 at once, known account or not', async () => {
    const burst = 24;
    // An account of its own: the burst's failures may reach its failed-login threshold, which must not lock out OWNER.
    const known = await createUser('viewer');
    const started = Date.now();
    const replies = await Promise.all(
      Array.from({ length: burst }, (_, index) =>
        // Half for an account that exists, half for ones that do not, each from its own address (no throttle applies).
        login(index % 2 === 0 ? known.email : `nobody-${index}@example.test`, `wrong password ${index}`, `127.0.1.${index + 1}`),
      ),
    );
    const statuses = replies.map((reply) => reply.status);
    // At least the cap was checked (401; more when the first ones finished before the last arrived); the rest were
    // refused before any scrypt work, with the same reply whether the account exists or not.
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(SCRYPT_LIMITS.running + SCRYPT_LIMITS.waiting);
    const refused = replies.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((reply) => `${reply.headers.get('retry-after')} ${reply.body.detail}`)).size).toBe(1);
    expect(refused[0]?.headers.get('retry-after')).toBe(String(SCRYPT_LIMITS.retryAfterSeconds));
    expect(refused[0]?.headers.get('content-type')).toContain('application/problem+json');
    // Eight checks one at a time, about 0.25 s each: far less than 24 would take.
    expect(Date.now() - started).toBeLessThan(20_000);
    // Once the burst is over, the process checks passwords again.
    expect((await login(OWNER.email, OWNER.password, '127.0.2.1')).status).toBe(200);
  });

  it('refuses a password longer than any account may have without hashing it', async () => {
    const reply = await login(OWNER.email, 'x'.repeat(257), '127.0.2.2');
    expect(reply.status).toBe(422);
    expect(reply.body.violations).toEqual([{ propertyPath: 'password', message: 'password has at most 256 characters' }]);
  });
});

describe('audit log', () => {
  it('records who wrote what, when and from where for every dialect, without secrets; only admins read it', async () => {
    const pki = await createPki();
    const leaf = await pki.leaf({ names: ['audited.example.test'] });
    const upload = await api.request('POST', `/api/organizations/${api.organizationId}/certificates`, {
      body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem },
    });
    expect(upload.status).toBe(201);
    const token = await api.request('POST', '/api/api-tokens', { body: { name: 'audited', scopes: ['certificates:read'] } });
    const user = await createUser('viewer');
    const owner = await login(OWNER.email, OWNER.password);
    expect((await api.request('DELETE', `/api/api-tokens/${token.body.id}`, bearer(owner.body.token))).status).toBe(204);

    const reply = await api.request('GET', `/api/organizations/${api.organizationId}/audit-events?limit=100`);
    expect(reply.status).toBe(200);
    const events: any[] = reply.body.member;
    const bootstrapSubject = `token:${(await api.stack.deps.identity.findTokenByHash(hashToken(api.token)))?.id}`;
    expect(events[0]).toMatchObject({
      action: 'DELETE /api/api-tokens/{id}',
      target: { id: token.body.id },
      actor: `${decodeJwt(owner.body.token).sub}`,
      status: 204,
      sourceIp: '127.0.0.1',
    });
    expect(Date.parse(events[0].at)).not.toBeNaN();
    expect(events[1]).toMatchObject({ action: 'POST /api/auth/login', actor: decodeJwt(owner.body.token).sub, sourceIp: '127.0.0.1', status: 200 });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'POST /api/organizations/{organizationId}/certificates', actor: bootstrapSubject, resource: upload.headers.get('location') }),
        expect.objectContaining({ action: 'POST /api/api-tokens', actor: bootstrapSubject, resource: `/api/api-tokens/${token.body.id}` }),
        expect.objectContaining({ action: 'POST /api/organizations/{organizationId}/users', resource: `${usersPath}/${user.id}` }),
      ]),
    );
    for (const secret of [token.body.token, user.password, OWNER.password, 'PRIVATE KEY', owner.body.refreshToken]) expect(reply.text).not.toContain(secret);

    const page = await api.request('GET', `/api/organizations/${api.organizationId}/audit-events?limit=2`);
    expect(page.body.member).toHaveLength(2);
    const older = await api.request('GET', page.body.next);
    expect(older.body.member[0].id).toBe(events[2].id);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/audit-events?after=bogus`)).status).toBe(400);
  });
});

describe('secrets at rest', () => {
  it('keeps no plaintext token, password, refresh token or private key in the table', async () => {
    const user = await createUser('member');
    const session = await login(user.email, user.password);
    const token = await api.request('POST', '/api/api-tokens', { body: { name: 'at rest', scopes: ['certificates:read'] } });
    const refreshHash = hashToken(session.body.refreshToken);
    const jwk = await signingJwk();

    const documents = createDocumentClient(process.env[ENV.dynamodbEndpoint]);
    const tableName = process.env[ENV.tableName]!;
    const partitions = [
      keys.user(user.id).pk,
      keys.loginCredential(user.email).pk,
      keys.token(hashToken(token.body.token)).pk,
      keys.refreshToken(refreshHash).pk,
      keys.auditOf(api.organizationId),
    ];
    const items = (
      await Promise.all(
        partitions.map(async (pk) => {
          const { Items } = await documents.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }));
          return Items ?? [];
        }),
      )
    ).flat();
    const listedTokens = await api.stack.deps.identity.listTokens(api.organizationId);
    const text = JSON.stringify([items, listedTokens]);
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(text).toContain('scrypt$ln=15,r=8,p=3$');
    for (const secret of [user.password, token.body.token, session.body.refreshToken, session.body.token, jwk.d!, 'PRIVATE KEY']) {
      expect(text).not.toContain(secret);
    }
    documents.destroy();
  });
});

describe('deployed-stack bootstrap', () => {
  it('creates an owner user from flags and environment, never prints the password, and changes nothing on a rerun', async () => {
    const email = `first-owner-${randomUUID().slice(0, 8)}@example.test`;
    const password = `owner password ${randomUUID()}`;
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/bootstrap-deployed.ts', '--table', process.env[ENV.tableName]!, '--owner-email', email], {
        env: { ...process.env, CERTWRIGHT_OWNER_PASSWORD: password },
      });
    const first = await run();
    expect(first.stdout).toContain(`already bootstrapped: organization ${api.organizationId}`);
    expect(first.stdout).toContain(`owner user ${email} created`);
    const again = await run();
    expect(again.stdout).toContain('exists already');
    for (const output of [first.stdout, first.stderr, again.stdout, again.stderr]) expect(output).not.toContain(password);

    const session = await login(email, password);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ organizationId: api.organizationId, user: { role: 'owner' } });
  });
});

describe('logs', () => {
  it('never carry a password, token, refresh token, JWT or private key', () => {
    const passwords = [OWNER.password, 'a long enough password', 'a brand new password', 'correct horse battery staple'];
    const written = output.text();
    for (const password of passwords) expect(written).not.toContain(password);
    expect(written).not.toMatch(/cwr?_[\w-]{43}/);
    expect(written).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    expect(written).not.toMatch(/PRIVATE KEY|scrypt\$/);
  });
});
