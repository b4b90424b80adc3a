import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { createPki } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { secretFileCount as secretCount } from '../support/stored-state.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let serial = 0;

const QUOTA = 2;

beforeAll(async () => {
  // The functions read their configuration when they load, which startTestApi does after this.
  process.env[ENV.certificateQuota] = String(QUOTA);
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
});
afterAll(async () => {
  delete process.env[ENV.certificateQuota];
  await api.stop();
});

const leaf = () => pki.leaf({ names: [`quota-${(serial += 1)}.example.com`] });

const uploadAdmin = async (token: string) => {
  const { certificatePem, privateKeyPem } = await leaf();
  return api.request('POST', '/v1/organization/certificates', {
    token: null,
    headers: { authorization: `Bearer ${token}` },
    body: { certificate: certificatePem, private_key: privateKeyPem },
  });
};

const uploadPlatform = async (token: string, organizationId: number) => {
  const { certificatePem, privateKeyPem } = await leaf();
  return api.request('POST', `/api/organizations/${organizationId}/certificates`, {
    token,
    body: { certificateData: certificatePem, privateKeyData: privateKeyPem },
  });
};

describe(`per-organization certificate quota (${ENV.certificateQuota}=${QUOTA})`, () => {
  it('refuses the upload over the quota in every dialect, stores nothing, and frees a place on delete', async () => {
    const { organization, token } = await createOrganizationWithToken(api.stack.deps);
    expect((await uploadAdmin(token)).status).toBe(200);
    const second = await uploadPlatform(token, organization.id);
    expect(second.status).toBe(201);
    const secrets = await secretCount();
    // Both uploads came with a key: the count can see them, so an unchanged count below means nothing was added.
    expect(secrets).toBeGreaterThanOrEqual(2);

    const admin = await uploadAdmin(token);
    expect(admin.status).toBe(429);
    expect(admin.body).toEqual({
      error: {
        message: expect.stringMatching(/reached its limit of 2 certificates/),
        type: 'insufficient_quota',
        param: null,
        code: 'certificate_quota_exceeded',
      },
    });
    const platform = await uploadPlatform(token, organization.id);
    expect(platform.status).toBe(429);
    expect(platform.headers.get('content-type')).toContain('application/problem+json');
    expect(platform.body.detail).toMatch(/reached its limit of 2 certificates/);
    expect((await api.stack.deps.certificates.listPage(organization.id, 0, 0)).totalItems).toBe(QUOTA);
    expect(await secretCount()).toBe(secrets);

    const project = await api.request('POST', `/api/organizations/${organization.id}/projects`, {
      token,
      body: { name: 'shop', domain: 'quota-project.example.com' },
    });
    expect(project.status).toBe(201);
    const projectLeaf = await pki.leaf({ names: ['quota-project.example.com'] });
    const projects = await api.request('POST', `/api/v1/projects/${project.body.id}/certificate/upload`, {
      token,
      body: { certificate: projectLeaf.certificatePem, privateKey: projectLeaf.privateKeyPem },
    });
    expect(projects.status).toBe(429);
    expect(projects.body).toEqual({ success: false, error: expect.stringMatching(/reached its limit of 2 certificates/) });
    expect((await api.stack.deps.certificates.listPage(organization.id, 0, 0)).totalItems).toBe(QUOTA);
    expect(await secretCount()).toBe(secrets);

    // Another organization has its own quota.
    const other = await createOrganizationWithToken(api.stack.deps);
    expect((await uploadAdmin(other.token)).status).toBe(200);

    const deleted = await api.request('DELETE', `/v1/organization/certificates/${second.body.id}`, {
      token: null,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(200);
    expect((await uploadAdmin(token)).status).toBe(200);
  });

  it('lets exactly the remaining quota of concurrent uploads through, and refuses the rest with 429', async () => {
    const { organization, token } = await createOrganizationWithToken(api.stack.deps);
    const secrets = await secretCount();
    const replies = await Promise.all(Array.from({ length: 5 }, () => uploadAdmin(token)));
    // Exactly the quota is stored, whatever the interleaving: contention for the count is retried, never a 409.
    expect(replies.map((reply) => reply.status).sort()).toEqual([...Array(QUOTA).fill(200), ...Array(5 - QUOTA).fill(429)]);
    expect((await api.stack.deps.certificates.listPage(organization.id, 0, 0)).totalItems).toBe(QUOTA);
    expect(await secretCount()).toBe(secrets + QUOTA);
  });
});
