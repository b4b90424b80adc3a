import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, ROLE_SCOPES } from '../../shared/domain/identity.ts';
import type { Role } from '../../shared/domain/identity.ts';
import type { Scope } from '../../shared/domain/organization.ts';
import { bootstrap } from '../../shared/use-cases/bootstrap.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

/**
 * The privilege suite: generated from the scope table, it tries what every role (and a set of API token scopes) may do
 * to the tokens and users of every other, and checks the rule users know: you may revoke a token, or manage a user,
 * only while you hold every scope it has. The expected outcome is worked out here from ROLE_SCOPES alone.
 */
let api: TestApi;
let usersPath: string;
const PASSWORD = 'a long enough password';

/** Whether a credential with `held` covers `wanted`: `admin` covers everything. */
const covers = (held: readonly Scope[], wanted: readonly Scope[]): boolean => held.includes('admin') || wanted.every((scope) => held.includes(scope));

const jwtOf = new Map<Role, string>();
const userIdOf = new Map<Role, string>();
const as = (role: Role) => ({ token: null, headers: { authorization: `Bearer ${jwtOf.get(role)}` } });

async function login(email: string): Promise<string> {
  const reply = await api.request('POST', '/api/auth/login', { token: null, body: { email, password: PASSWORD } });
  expect(reply.status).toBe(200);
  return reply.body.token as string;
}

/** A token made through the owner's session, holding `scopes` (a viewer cannot make tokens, so the owner makes them all). */
async function tokenWith(scopes: readonly Scope[]): Promise<{ id: string; token: string }> {
  const reply = await api.request('POST', '/api/api-tokens', { ...as('owner'), body: { name: 'target', scopes } });
  expect(reply.status).toBe(201);
  return { id: reply.body.id, token: reply.body.token };
}

/** A user who never signs in, straight through the identity port (no password hashing: the suite stays quick). */
async function targetUser(role: Role): Promise<string> {
  const at = new Date().toISOString();
  const id = randomUUID();
  await api.stack.deps.identity.createUser(
    { id, organizationId: api.organizationId, email: `target-${id.slice(0, 8)}@example.test`, role, createdAt: at, updatedAt: at, tokensValidAfter: at },
    'scrypt$ln=15,r=8,p=3$AAAA$AAAA',
  );
  return id;
}

/** Every role may read certificates, so this is 200 for any token that works and 401 for one that does not. */
const works = async (token: string) => (await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, { token })).status;

beforeAll(async () => {
  api = await startTestApi();
  usersPath = `/api/organizations/${api.organizationId}/users`;
  for (const role of ROLES) {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.test`;
    const created = await api.request('POST', usersPath, { body: { email, password: PASSWORD, role } });
    expect(created.status).toBe(201);
    userIdOf.set(role, created.body.id);
    jwtOf.set(role, await login(email));
  }
});
afterAll(() => api.stop());

describe('revoking API tokens, role by role', () => {
  const pairs = ROLES.flatMap((actor) => ROLES.map((owner) => [actor, owner] as const));
  it.each(pairs)('%s revoking a token with the scopes of a %s', async (actor, role) => {
    const target = await tokenWith(ROLE_SCOPES[role]);
    const actorScopes = ROLE_SCOPES[actor];
    const allowed = actorScopes.includes('tokens:manage') && covers(actorScopes, ROLE_SCOPES[role]);
    const reply = await api.request('DELETE', `/api/api-tokens/${target.id}`, as(actor));
    expect(reply.status).toBe(allowed ? 204 : 403);
    // A refused revocation changes nothing: the token still works.
    expect(await works(target.token)).toBe(allowed ? 401 : 200);
  });
});

describe('revoking API tokens, token by token', () => {
  const sets: Scope[][] = [
    ['certificates:read'],
    ['certificates:read', 'certificates:write'],
    ['tokens:manage', 'certificates:read'],
    ['tokens:manage', 'certificates:read', 'certificates:write'],
    ['tokens:manage', 'admin'],
  ];
  const pairs = sets.filter((held) => held.includes('tokens:manage')).flatMap((held) => sets.map((target) => [held, target] as const));
  it.each(pairs)('a token with %j revoking one with %j', async (held, target) => {
    const actor = await tokenWith(held);
    const victim = await tokenWith(target);
    const reply = await api.request('DELETE', `/api/api-tokens/${victim.id}`, { token: actor.token });
    if (covers(held, target)) {
      expect(reply.status).toBe(204);
    } else {
      expect(reply.status).toBe(403);
      expect(reply.body.detail).toMatch(/needs the scopes it has/);
    }
  });
});

describe('managing users, role by role', () => {
  const pairs = ROLES.flatMap((actor) => ROLES.map((target) => [actor, target] as const));
  it.each(pairs)('%s removing a %s and changing one to viewer', async (actor, role) => {
    const actorScopes = ROLE_SCOPES[actor];
    const mayManage = (wanted: readonly Scope[]) => actorScopes.includes('users:manage') && covers(actorScopes, wanted);

    const removed = await targetUser(role);
    const removal = await api.request('DELETE', `${usersPath}/${removed}`, as(actor));
    expect(removal.status).toBe(mayManage(ROLE_SCOPES[role]) ? 204 : 403);

    const changed = await targetUser(role);
    const change = await api.request('PATCH', `${usersPath}/${changed}`, { ...as(actor), body: { role: 'viewer' } });
    expect(change.status).toBe(mayManage([...ROLE_SCOPES[role], ...ROLE_SCOPES.viewer]) ? 200 : 403);
  });
});

describe('a token never outlives its owner rights', () => {
  it('narrows a member token to viewer when the member is demoted, and ends it when the member is removed', async () => {
    const email = `member-${randomUUID().slice(0, 8)}@example.test`;
    const created = await api.request('POST', usersPath, { body: { email, password: PASSWORD, role: 'member' } });
    const session = await login(email);
    const made = await api.request('POST', '/api/api-tokens', { token: null, headers: { authorization: `Bearer ${session}` }, body: { name: 'rw', scopes: ['certificates:read', 'certificates:write'] } });
    expect(made.status).toBe(201);
    const certificates = `/api/organizations/${api.organizationId}/certificates`;
    const write = () => api.request('POST', certificates, { token: made.body.token, body: { type: 'custom' } });

    expect((await write()).status).toBe(422); // past the scope check: the body is what is wrong
    expect((await api.request('PATCH', `${usersPath}/${created.body.id}`, { body: { role: 'viewer' } })).status).toBe(200);
    expect((await write()).status).toBe(403);
    expect((await api.request('GET', certificates, { token: made.body.token })).status).toBe(200);

    expect((await api.request('DELETE', `${usersPath}/${created.body.id}`)).status).toBe(204);
    expect((await api.request('GET', certificates, { token: made.body.token })).status).toBe(401);
    const listed = (await api.request('GET', '/api/api-tokens')).body.member.find((token: { id: string }) => token.id === made.body.id);
    expect(listed.status).toBe('revoked');
  });

  it('keeps a token made by the operator token working whoever is demoted, since no user owns it', async () => {
    const made = await api.request('POST', '/api/api-tokens', { body: { name: 'operator made', scopes: ['certificates:read'] } });
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/certificates`, { token: made.body.token })).status).toBe(200);
  });
});

describe('the bootstrap admin token', () => {
  it('cannot be revoked by a member; an owner can, and the operator brings it back with the same token', async () => {
    const listed = (await api.request('GET', '/api/api-tokens')).body.member as { id: string; name: string }[];
    const admin = listed.find((token) => token.name === 'bootstrap admin token');
    expect(admin).toBeDefined();

    const byMember = await api.request('DELETE', `/api/api-tokens/${admin?.id}`, as('member'));
    expect(byMember.status).toBe(403);
    expect(await works(api.token)).toBe(200);

    expect((await api.request('DELETE', `/api/api-tokens/${admin?.id}`, as('owner'))).status).toBe(204);
    expect(await works(api.token)).toBe(401);

    const recovered = await bootstrap(api.stack.deps, { organizationName: 'ignored', token: api.token });
    expect(recovered.token).toBe(api.token);
    expect(await works(api.token)).toBe(200);
    expect((await api.request('GET', '/api/api-tokens')).body.member.find((token: { id: string }) => token.id === admin?.id).status).toBe('active');

    const fresh = await bootstrap(api.stack.deps, { organizationName: 'ignored', newAdminToken: true });
    expect(fresh.token).toMatch(/^cw_/);
    expect(await works(fresh.token ?? '')).toBe(200);
    // Run again with a token that works, nothing is printed or changed.
    expect((await bootstrap(api.stack.deps, { organizationName: 'ignored', token: api.token })).token).toBeNull();
  });
});
