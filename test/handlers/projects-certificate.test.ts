import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCertificateRepository } from '../../shared/adapters/dynamodb/certificate-repository.ts';
import { DynamoProjectRepository } from '../../shared/adapters/dynamodb/project-repository.ts';
import { ENV } from '../../shared/config/env-names.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { ConflictError } from '../../shared/domain/errors.ts';
import { createPki } from '../support/certificates.ts';
import type { Leaf } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { barrier, watchMethod } from '../support/races.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let projects: string;
let certificates: string;

const MERGE = { 'content-type': 'application/merge-patch+json' };
const DAY = 86_400_000;

/** `2026-01-19T00:00:00Z`, as the projects dialect writes dates. */
const seedDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function newProject(domain: string | null = 'api.example.com', token?: string, organizationId = api.organizationId) {
  const reply = await api.request('POST', `/api/organizations/${organizationId}/projects`, { token, body: { name: 'Storefront', domain } });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; [key: string]: any };
}

const certificatePath = (projectId: string, suffix = '') => `/api/v1/projects/${projectId}/certificate${suffix}`;

const bundle = (leaf: Leaf, withChain = true) => ({
  certificate: withChain ? `${leaf.certificatePem}\n${pki.intermediate.pem}` : leaf.certificatePem,
  privateKey: leaf.privateKeyPem,
});

async function uploadTo(projectId: string, names: string[], options: { notAfter?: Date } = {}) {
  const leaf = await pki.leaf({ names, ...options });
  const reply = await api.request('POST', certificatePath(projectId, '/upload'), { body: bundle(leaf) });
  expect(reply.status).toBe(200);
  return { leaf, reply };
}

async function secretsOf(certificateId: string): Promise<string[]> {
  const files = await readdir(process.env[ENV.secretDir] ?? '');
  return files.filter((file) => decodeURIComponent(file).startsWith(`certwright/certificates/`) && decodeURIComponent(file).includes(`/${certificateId}/`));
}

const organizationCount = async () => (await api.request('GET', `${certificates}?itemsPerPage=0`)).body.totalItems as number;

/** Changes a stored certificate the way the ACME workflow or an expiry would. */
async function rewrite(certificateId: string, change: Partial<Certificate>) {
  const deps = api.stack.deps;
  const current = await deps.certificates.get(api.organizationId, certificateId);
  if (!current) throw new Error('certificate missing');
  await deps.certificates.update({ ...current, ...change }, current.version);
}

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
  projects = `/api/organizations/${api.organizationId}/projects`;
  certificates = `/api/organizations/${api.organizationId}/certificates`;
});
afterAll(() => api.stop());

describe('platform: /api/organizations/{organizationId}/projects', () => {
  it('creates, gets, lists, patches and deletes a project', async () => {
    const created = await api.request('POST', projects, { body: { name: ' Shop ', domain: 'Shop.Example.com.' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      '@context': '/api/contexts/Project',
      '@type': 'Project',
      name: 'Shop',
      domain: 'shop.example.com',
      certificate: null,
      organizationId: api.organizationId,
    });
    const id = created.body.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers.get('location')).toBe(`${projects}/${id}`);

    const item = await api.request('GET', `${projects}/${id}`);
    expect(item.status).toBe(200);
    expect(item.headers.get('etag')).toBe('W/"1"');
    expect(item.body.createdAt).toMatch(/\+00:00$/);

    const list = await api.request('GET', `${projects}?itemsPerPage=100`);
    expect(list.body['@type']).toBe('Collection');
    expect(list.body.member.map((project: { id: string }) => project.id)).toContain(id);

    const renamed = await api.request('PATCH', `${projects}/${id}`, { body: { name: 'Shop EU' }, headers: MERGE });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Shop EU', domain: 'shop.example.com' });
    const undomained = await api.request('PATCH', `${projects}/${id}`, { body: { domain: null }, headers: { ...MERGE, 'if-match': 'W/"2"' } });
    expect(undomained.body).toMatchObject({ name: 'Shop EU', domain: null });
    expect(undomained.headers.get('etag')).toBe('W/"3"');

    const deleted = await api.request('DELETE', `${projects}/${id}`);
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', `${projects}/${id}`)).status).toBe(404);
  });

  it('pages the collection with working links', async () => {
    const { organization, token } = await createOrganizationWithToken(api.stack.deps);
    const path = `/api/organizations/${organization.id}/projects`;
    for (const name of ['a', 'b', 'c']) {
      expect((await api.request('POST', path, { token, body: { name } })).status).toBe(201);
    }
    const first = await api.request('GET', `${path}?itemsPerPage=2`, { token });
    expect(first.body.totalItems).toBe(3);
    expect(first.body.member.map((p: { name: string }) => p.name)).toEqual(['a', 'b']);
    const last = await api.request('GET', first.body.view.last, { token });
    expect(last.body.member.map((p: { name: string }) => p.name)).toEqual(['c']);
    expect(first.body.view.next).toBe(first.body.view.last);
  });

  it('refuses bad input in the platform style: 422 violations, 415, 412, 403, 404', async () => {
    const invalid = await api.request('POST', projects, { body: { name: '', domain: 'not a domain' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.violations.map((v: { propertyPath: string }) => v.propertyPath).sort()).toEqual(['name']);
    const badDomain = await api.request('POST', projects, { body: { name: 'x', domain: '*.example.com' } });
    expect(badDomain.status).toBe(422);
    expect(badDomain.body.violations).toEqual([{ propertyPath: 'domain', message: expect.stringMatching(/not a hostname/) }]);

    const project = await newProject();
    const asJson = await api.request('PATCH', `${projects}/${project.id}`, { body: { name: 'x' } });
    expect(asJson.status).toBe(415);
    const stale = await api.request('PATCH', `${projects}/${project.id}`, { body: { name: 'x' }, headers: { ...MERGE, 'if-match': 'W/"9"' } });
    expect(stale.status).toBe(412);

    const reader = await createOrganizationWithToken(api.stack.deps, ['projects:read']);
    const forbidden = await api.request('POST', `/api/organizations/${reader.organization.id}/projects`, { token: reader.token, body: { name: 'x' } });
    expect(forbidden.status).toBe(403);

    const intruder = await createOrganizationWithToken(api.stack.deps);
    const foreign = await api.request('GET', `/api/organizations/${intruder.organization.id}/projects/${project.id}`, { token: intruder.token });
    expect(foreign.status).toBe(404);
    const foreignDelete = await api.request('DELETE', `/api/organizations/${intruder.organization.id}/projects/${project.id}`, {
      token: intruder.token,
    });
    expect(foreignDelete.status).toBe(404);
    expect((await api.request('GET', `${projects}/${project.id}`)).status).toBe(200);
  });
});

describe('projects dialect: /api/v1/projects/{id}/certificate', () => {
  it('answers null while the project has no certificate', async () => {
    const project = await newProject();
    const reply = await api.request('GET', certificatePath(project.id));
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('null');
  });

  it('uploads a certificate for the domain, visible with the same id, status and timestamps in the other dialects', async () => {
    const project = await newProject();
    const { leaf, reply } = await uploadTo(project.id, ['api.example.com', 'www.example.com']);
    expect(reply.body).toEqual({
      success: true,
      certificate: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        domain: 'api.example.com',
        type: 'custom',
        status: 'active',
        issuedAt: seedDate(leaf.notBefore),
        expiresAt: seedDate(leaf.notAfter),
        issuer: 'Test Issuing CA Org',
        autoRenew: false,
      },
    });
    const id = reply.body.certificate.id;
    const got = await api.request('GET', certificatePath(project.id));
    expect(got.body).toEqual(reply.body.certificate);

    const platform = await api.request('GET', `${certificates}/${id}`);
    expect(platform.status).toBe(200);
    expect(platform.body).toMatchObject({ id, status: 'active', type: 'custom', domainName: 'api.example.com' });
    expect(platform.body.expiresAt).toBe(leaf.notAfter.toISOString().replace('.000Z', '+00:00'));
    expect(platform.body.chainData).toContain('BEGIN CERTIFICATE');
    const project2 = await api.request('GET', `${projects}/${project.id}`);
    expect(project2.body.certificate).toBe(`${certificates}/${id}`);

    const admin = await api.request('GET', `/v1/organization/certificates/${id}`, { token: null, headers: { authorization: `Bearer ${api.token}` } });
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ object: 'certificate', id });
    expect(admin.body.created_at).toBe(Math.floor(Date.parse(platform.body.createdAt) / 1000));
    expect(admin.body.certificate_details.expires_at).toBe(leaf.notAfter.getTime() / 1000);
  });

  it('replaces the certificate in place on a new upload: same id, new content, the old key secret deleted', async () => {
    const project = await newProject();
    const first = (await uploadTo(project.id, ['api.example.com'])).reply.body.certificate;
    const [firstSecret] = await secretsOf(first.id);
    const mapped = await api.request('POST', `/api/organizations/${api.organizationId}/hostname-mappings`, {
      body: { hostname: 'api.example.com', certificate: first.id },
    });
    expect(mapped.status).toBe(201);
    const count = await organizationCount();

    const later = new Date(Math.floor((Date.now() + 200 * DAY) / 1000) * 1000);
    const { reply } = await uploadTo(project.id, ['api.example.com'], { notAfter: later });
    expect(reply.body.certificate).toMatchObject({ id: first.id, expiresAt: seedDate(later) });
    expect((await api.request('GET', certificatePath(project.id))).body).toEqual(reply.body.certificate);
    const secrets = await secretsOf(first.id);
    expect(secrets).toHaveLength(1);
    expect(secrets).not.toContain(firstSecret);
    expect(await organizationCount()).toBe(count);

    const platform = await api.request('GET', `${certificates}/${first.id}`);
    expect(platform.body).toMatchObject({ attemptCount: 2, expiresAt: later.toISOString().replace('.000Z', '+00:00') });
    expect(platform.headers.get('etag')).toBe('W/"2"');
    const mapping = await api.request('GET', `/api/organizations/${api.organizationId}/hostname-mappings/api.example.com`);
    expect(mapping.body).toMatchObject({ certificateId: first.id, sslStatus: 'covered', expiresAt: platform.body.expiresAt });
  });

  it('lets one of two concurrent first uploads win; the other gets 409 and leaves nothing behind', async () => {
    const project = await newProject();
    const count = await organizationCount();
    const leaves = await Promise.all([1, 2].map(() => pki.leaf({ names: ['api.example.com'] })));
    // Both uploads read the project without a certificate before either attaches one: the contested case, every time.
    const meet = barrier(2);
    const reads = watchMethod(DynamoProjectRepository.prototype, 'get', async (call, args) => {
      const result = await call();
      if (args[1] === project.id) await meet.arrive();
      return result;
    });
    const attaches = watchMethod(DynamoProjectRepository.prototype, 'update');
    const stores = watchMethod(DynamoCertificateRepository.prototype, 'create');
    let replies;
    try {
      replies = await Promise.all(leaves.map((leaf) => api.request('POST', certificatePath(project.id, '/upload'), { body: bundle(leaf) })));
    } finally {
      reads.restore();
      attaches.restore();
      stores.restore();
    }
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409]);
    // Both tried to attach their certificate to version 1 of the project; the store refused the second.
    const attempts = attaches.calls.map((call) => [call.args[1], call.outcome, call.error instanceof ConflictError]);
    expect(attempts.sort()).toEqual([
      [1, 'returned', false],
      [1, 'threw', true],
    ]);
    const loser = replies.find((reply) => reply.status === 409);
    expect(loser?.body).toEqual({ success: false, error: expect.stringMatching(/changed by another request/) });
    const winner = replies.find((reply) => reply.status === 200);
    const current = (await api.request('GET', certificatePath(project.id))).body;
    expect(current.id).toBe(winner?.body.certificate.id);
    expect(await organizationCount()).toBe(count + 1);
    expect(await secretsOf(current.id)).toHaveLength(1);
    // The loser had stored its certificate too, before its attach was refused: record and key secret are gone.
    const stored = stores.calls.map((call) => (call.args[0] as Certificate).id);
    const orphan = stored.filter((id) => id !== current.id);
    expect([stored.length, orphan.length]).toEqual([2, 1]);
    expect((await api.request('GET', `${certificates}/${orphan[0]}`)).status).toBe(404);
    expect(await secretsOf(orphan[0] ?? '')).toEqual([]);
  });

  it('keeps the current certificate when a replacement is refused', async () => {
    const project = await newProject();
    const first = (await uploadTo(project.id, ['api.example.com'])).reply.body.certificate;
    const wrong = await pki.leaf({ names: ['other.example.com'] });
    const refused = await api.request('POST', certificatePath(project.id, '/upload'), { body: bundle(wrong) });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ success: false, error: 'Certificate is not valid for domain api.example.com' });
    expect((await api.request('GET', certificatePath(project.id))).body).toEqual(first);
  });

  it('accepts a wildcard certificate for the domain', async () => {
    const project = await newProject('shop.example.com');
    const { reply } = await uploadTo(project.id, ['*.example.com']);
    expect(reply.body.certificate.domain).toBe('shop.example.com');
  });

  it.each([
    [
      'a certificate for another domain',
      async () => bundle(await pki.leaf({ names: ['other.example.com'] })),
      'Certificate is not valid for domain api.example.com',
    ],
    [
      'a wildcard one level too high',
      async () => bundle(await pki.leaf({ names: ['*.api.example.com'] })),
      'Certificate is not valid for domain api.example.com',
    ],
    [
      'a key that does not match',
      async () => ({ ...bundle(await pki.leaf({ names: ['api.example.com'] })), privateKey: (await pki.leaf({ names: ['x.example.com'] })).privateKeyPem }),
      'Certificate and private key do not match',
    ],
    ['a missing key', async () => ({ certificate: (await pki.leaf({ names: ['api.example.com'] })).certificatePem }), 'privateKey (PEM) is required'],
    ['something that is not PEM', async () => ({ certificate: 'hello', privateKey: 'world' }), /This is not PEM/],
  ])('refuses %s with 400 {"success":false} and stores nothing', async (_, body, error) => {
    const project = await newProject();
    const count = await organizationCount();
    const reply = await api.request('POST', certificatePath(project.id, '/upload'), { body: await body() });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ success: false, error: typeof error === 'string' ? error : expect.stringMatching(error) });
    expect(reply.text).not.toContain('BEGIN PRIVATE KEY');
    expect(await organizationCount()).toBe(count);
    expect((await api.request('GET', certificatePath(project.id))).text).toBe('null');
  });

  it('answers 415 for another content type and 413 for a body over the limit, in its own error style', async () => {
    const project = await newProject();
    const form = await api.request('POST', certificatePath(project.id, '/upload'), {
      rawBody: 'certificate=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body).toEqual({ success: false, error: 'Content-Type must be application/json' });
    const big = await api.request('POST', certificatePath(project.id, '/validate'), { body: { certificate: 'x'.repeat(70 * 1024), privateKey: 'y' } });
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ success: false, error: expect.stringMatching(/larger than/) });
  });

  it('answers 400 "Project has no domain configured" for upload and validate', async () => {
    const project = await newProject(null);
    const leaf = await pki.leaf({ names: ['api.example.com'] });
    for (const suffix of ['/upload', '/validate']) {
      const reply = await api.request('POST', certificatePath(project.id, suffix), { body: bundle(leaf) });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ success: false, error: 'Project has no domain configured' });
    }
  });

  it('validates without side effects', async () => {
    const project = await newProject();
    const count = await organizationCount();
    const leaf = await pki.leaf({ names: ['api.example.com'] });
    const valid = await api.request('POST', certificatePath(project.id, '/validate'), { body: bundle(leaf) });
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({
      valid: true,
      domain: 'api.example.com',
      expiresAt: seedDate(leaf.notAfter),
      issuer: 'Test Issuing CA Org',
      warnings: [],
    });

    const withoutChain = await api.request('POST', certificatePath(project.id, '/validate'), { body: bundle(leaf, false) });
    expect(withoutChain.body.valid).toBe(true);
    expect(withoutChain.body.warnings).toEqual([expect.stringMatching(/No intermediate certificate/)]);

    const soon = await pki.leaf({ names: ['api.example.com'], notAfter: new Date(Date.now() + 10 * DAY) });
    const expiring = await api.request('POST', certificatePath(project.id, '/validate'), { body: bundle(soon) });
    expect(expiring.body.warnings).toEqual([expect.stringMatching(/expires in \d+ days/)]);

    const other = await pki.leaf({ names: ['api.example.com'] });
    const mismatch = await api.request('POST', certificatePath(project.id, '/validate'), {
      body: { ...bundle(leaf), privateKey: other.privateKeyPem },
    });
    expect(mismatch.status).toBe(200);
    expect(mismatch.body).toEqual({ valid: false, error: 'Certificate and private key do not match' });

    const wrongDomain = await api.request('POST', certificatePath(project.id, '/validate'), {
      body: bundle(await pki.leaf({ names: ['else.example.com'] })),
    });
    expect(wrongDomain.body).toEqual({ valid: false, error: 'Certificate is not valid for domain api.example.com' });

    const malformed = await api.request('POST', certificatePath(project.id, '/validate'), {
      rawBody: '{"certificate":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ success: false, error: 'The request body is not valid JSON' });

    expect(await organizationCount()).toBe(count);
    expect((await api.request('GET', certificatePath(project.id))).text).toBe('null');
  });

  it('reports status: valid, expiring_soon, expired, revoked, with the last renewal attempt', async () => {
    const project = await newProject();
    const { leaf, reply } = await uploadTo(project.id, ['api.example.com']);
    const id = reply.body.certificate.id;
    const status = await api.request('GET', certificatePath(project.id, '/status'));
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      status: 'valid',
      domain: 'api.example.com',
      expiresAt: seedDate(leaf.notAfter),
      daysUntilExpiry: Math.ceil((leaf.notAfter.getTime() - Date.now()) / DAY),
      autoRenew: false,
      lastRenewAttempt: null,
      lastRenewError: null,
      renewalPaused: false,
      renewalPausedReason: null,
    });

    const soon = await uploadTo(project.id, ['api.example.com'], { notAfter: new Date(Date.now() + 10 * DAY) });
    const expiring = await api.request('GET', certificatePath(project.id, '/status'));
    expect(expiring.body).toMatchObject({ status: 'expiring_soon', daysUntilExpiry: 10 });

    const soonId = soon.reply.body.certificate.id;
    await rewrite(soonId, {
      notAfter: new Date(Date.now() - DAY).toISOString(),
      autoRenew: true,
      lastAttempt: { id: 'a1', type: 'acme_renew', status: 'failed', startedAt: '2026-07-01T09:15:00.000Z', finishedAt: null, error: 'DNS-01 challenge failed' },
    });
    const expired = await api.request('GET', certificatePath(project.id, '/status'));
    expect(expired.body).toMatchObject({
      status: 'expired',
      daysUntilExpiry: 0,
      autoRenew: true,
      lastRenewAttempt: '2026-07-01T09:15:00Z',
      lastRenewError: 'DNS-01 challenge failed',
    });
    // Past its end, the stored "active" reads expired everywhere: the certificate, the platform resource and list.
    expect((await api.request('GET', certificatePath(project.id))).body).toMatchObject({ id: soonId, status: 'expired' });
    expect((await api.request('GET', `${certificates}/${soonId}`)).body).toMatchObject({ status: 'expired' });
    const listed = await api.request('GET', `${certificates}?itemsPerPage=100`);
    expect(listed.body.member.find((member: { id: string }) => member.id === soonId)).toMatchObject({ status: 'expired' });

    await rewrite(soonId, { status: 'revoked' });
    expect((await api.request('GET', certificatePath(project.id, '/status'))).body.status).toBe('revoked');
    // A re-upload replaces the project's certificate in place.
    expect(soonId).toBe(id);
  });

  it('removes the certificate: record, count and key', async () => {
    const project = await newProject();
    const id = (await uploadTo(project.id, ['api.example.com'])).reply.body.certificate.id;
    const count = await organizationCount();
    const reply = await api.request('DELETE', certificatePath(project.id));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ success: true, message: 'Certificate removed' });
    expect((await api.request('GET', certificatePath(project.id))).text).toBe('null');
    expect((await api.request('GET', `${certificates}/${id}`)).status).toBe(404);
    expect(await secretsOf(id)).toEqual([]);
    expect(await organizationCount()).toBe(count - 1);

    const again = await api.request('DELETE', certificatePath(project.id));
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ success: false, error: 'Project has no certificate' });
    const status = await api.request('GET', certificatePath(project.id, '/status'));
    expect(status.status).toBe(404);
    expect(status.body).toEqual({ success: false, error: 'Project has no certificate' });
  });

  it('only detaches a certificate that is still activated for the organization through the admin API', async () => {
    const project = await newProject();
    const id = (await uploadTo(project.id, ['api.example.com'])).reply.body.certificate.id;
    const activated = await api.request('POST', '/v1/organization/certificates/activate', {
      token: null,
      headers: { authorization: `Bearer ${api.token}` },
      body: { certificate_ids: [id] },
    });
    expect(activated.status).toBe(200);
    const reply = await api.request('DELETE', certificatePath(project.id));
    expect(reply.body).toEqual({ success: true, message: 'Certificate removed' });
    expect((await api.request('GET', certificatePath(project.id))).text).toBe('null');
    expect((await api.request('GET', `${certificates}/${id}`)).status).toBe(200);
    expect(await secretsOf(id)).toHaveLength(1);
  });

  it("answers 404 for an unknown project and for another organization's project", async () => {
    const unknown = await api.request('GET', certificatePath('00000000-0000-4000-8000-000000000000'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ success: false, error: 'Project not found' });

    const project = await newProject();
    await uploadTo(project.id, ['api.example.com']);
    const intruder = await createOrganizationWithToken(api.stack.deps);
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/status'],
      ['DELETE', ''],
    ] as const) {
      const reply = await api.request(method, certificatePath(project.id, suffix), { token: intruder.token });
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ success: false, error: 'Project not found' });
    }
    const upload = await api.request('POST', certificatePath(project.id, '/upload'), {
      token: intruder.token,
      body: bundle(await pki.leaf({ names: ['api.example.com'] })),
    });
    expect(upload.status).toBe(404);
    expect((await api.request('GET', certificatePath(project.id))).body.domain).toBe('api.example.com');
  });

  it('needs a token (401), projects:read to read and projects:write to change (403)', async () => {
    const project = await newProject();
    const anonymous = await api.request('GET', certificatePath(project.id), { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ success: false, error: expect.stringMatching(/valid API token/) });

    const reader = await createOrganizationWithToken(api.stack.deps, ['projects:read']);
    const at = new Date().toISOString();
    const own = { id: crypto.randomUUID(), organizationId: reader.organization.id, name: 'r', domain: 'api.example.com', certificateId: null, createdAt: at, updatedAt: at, version: 1 };
    await api.stack.deps.projects.create(own);
    expect((await api.request('GET', certificatePath(own.id), { token: reader.token })).status).toBe(200);
    const forbidden = await api.request('POST', certificatePath(own.id, '/upload'), {
      token: reader.token,
      body: bundle(await pki.leaf({ names: ['api.example.com'] })),
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ success: false, error: 'This token lacks the projects:write scope' });
    const certificatesOnly = await createOrganizationWithToken(api.stack.deps, ['certificates:read', 'certificates:write']);
    expect((await api.request('GET', certificatePath(own.id), { token: certificatesOnly.token })).status).toBe(403);
  });
});
