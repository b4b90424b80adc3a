import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForAttempt } from '../e2e/support.ts';
import { createPki } from '../support/certificates.ts';
import type { Leaf } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

/** The seed deviations of issue 17 (items 2 to 6), as a client ported from the seeds meets them. */

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let certificates: string;

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi({ acme: { pebble: true } }), createPki()]);
  certificates = `/api/organizations/${api.organizationId}/certificates`;
});
afterAll(() => api.stop());

async function newProject(domain: string) {
  const reply = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, { body: { name: domain, domain } });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

/** Polls the projects dialect's status, as the 202's Location says, until `done` holds. */
async function pollStatus(path: string, done: (body: any) => boolean) {
  for (let poll = 0; poll < 400; poll += 1) {
    const reply = await api.request('GET', path);
    expect(reply.status).toBe(200);
    if (done(reply.body)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path} never reached the awaited state`);
}

describe('unknown routes answer in the envelope of the dialect whose prefix they are under (item 6)', () => {
  it.each([
    ['admin, unknown path', 'GET', '/v1/organization/nothing-here'],
    ['admin, known path with another method', 'PUT', '/v1/organization/certificates'],
  ])('%s', async (_, method, path) => {
    for (const token of [undefined, null]) {
      const reply = await api.request(method, path, { token });
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ error: { message: `No route for ${method} ${path}`, type: 'invalid_request_error', param: null, code: 'not_found' } });
    }
  });

  it.each([
    ['projects, unknown action', 'POST', '/api/v1/projects/p1/certificate/nothing'],
    ['projects, known path with another method', 'PATCH', '/api/v1/projects/p1/certificate'],
  ])('%s', async (_, method, path) => {
    const reply = await api.request(method, path);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ success: false, error: `No route for ${method} ${path}` });
  });

  it.each([
    ['platform, unknown path', 'GET', '/api/nothing-here'],
    ['platform, known path with another method', 'PUT', '/api/organizations/1/certificates'],
    ['outside every prefix', 'GET', '/nothing-here'],
  ])('%s', async (_, method, path) => {
    const reply = await api.request(method, path, { token: null });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(reply.body).toMatchObject({ '@context': '/api/contexts/Error', '@type': 'hydra:Error', status: 404, detail: `No route for ${method} ${path}` });
    expect(reply.headers.get('link')).toContain('/api/docs.jsonld>');
  });
});

describe('admin list honours include[]=content (item 5)', () => {
  let leaf: Leaf;
  let id: string;

  beforeAll(async () => {
    leaf = await pki.leaf({ names: ['content.example.test'] });
    const created = await api.request('POST', '/v1/organization/certificates', {
      token: null,
      headers: { authorization: `Bearer ${api.token}` },
      body: { name: 'with content', certificate: leaf.certificatePem, private_key: leaf.privateKeyPem },
    });
    expect(created.status).toBe(200);
    id = created.body.id;
  });

  const list = (query: string, path = '/v1/organization/certificates') =>
    api.request('GET', `${path}?${query}`, { token: null, headers: { authorization: `Bearer ${api.token}` } });

  it('carries the PEM in certificate_details.content when asked, and never otherwise', async () => {
    const withContent = await list('include[]=content&limit=100');
    expect(withContent.status).toBe(200);
    const item = withContent.body.data.find((candidate: { id: string }) => candidate.id === id);
    expect(item.certificate_details.content).toContain(leaf.certificatePem.trim());
    expect(item.certificate_details.content).not.toContain('PRIVATE KEY');

    const plain = await list('limit=100');
    expect(plain.body.data.find((candidate: { id: string }) => candidate.id === id).certificate_details).not.toHaveProperty('content');
  });

  it("does so for a project's list too, and refuses what it cannot include", async () => {
    const project = await newProject('content-project.example.test');
    const projectList = await list('include[]=content', `/v1/organization/projects/${project}/certificates`);
    expect(projectList.status).toBe(200);
    expect(projectList.body.data.find((candidate: { id: string }) => candidate.id === id).certificate_details.content).toContain('BEGIN CERTIFICATE');

    const refused = await list('include[]=private_key');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ param: 'include[]', type: 'invalid_request_error' });
  });
});

describe('projects dialect: following obtain and renew (items 2 to 4)', () => {
  it('a fresh 90-day certificate has 90 days until expiry, as the seed shows', async () => {
    const project = await newProject('ninety.example.test');
    const leaf = await pki.leaf({ names: ['ninety.example.test'] });
    const upload = await api.request('POST', `/api/v1/projects/${project}/certificate/upload`, {
      body: { certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem },
    });
    expect(upload.status).toBe(200);
    const status = await api.request('GET', `/api/v1/projects/${project}/certificate/status`);
    expect(status.body).toMatchObject({ status: 'valid', daysUntilExpiry: 90 });
  });

  it("a failed issuance reads failed with the CA's reason, in the seed's failure shape too", async () => {
    // The name points where nothing answers HTTP-01: the CA cannot validate it.
    const moved = await fetch(`${api.stack.acme.pebble?.challengeServerUrl}/add-a`, {
      method: 'POST',
      body: JSON.stringify({ host: 'unreachable-project.example.test.', addresses: ['127.0.0.2'] }),
    });
    expect(moved.ok).toBe(true);
    const project = await newProject('unreachable-project.example.test');
    const statusPath = `/api/v1/projects/${project}/certificate/status`;

    const obtain = await api.request('POST', `/api/v1/projects/${project}/certificate/obtain`, { body: { challengeType: 'http-01', keyType: 'ec' } });
    expect(obtain.status).toBe(202);
    expect(obtain.headers.get('location')).toBe(statusPath);
    expect(obtain.body).toMatchObject({
      success: true,
      certificate: { status: 'pending', issuedAt: null, expiresAt: null },
      attempt: { type: 'acme_issue', statusUrl: statusPath },
      message: expect.stringContaining(`GET ${statusPath}`),
    });

    const failed = await pollStatus(statusPath, (body) => body.status !== 'pending');
    expect(failed).toMatchObject({
      success: false,
      error: expect.stringMatching(/^HTTP-01 challenge failed for unreachable-project\.example\.test: /),
      status: 'failed',
      domain: 'unreachable-project.example.test',
      expiresAt: null,
      daysUntilExpiry: null,
      lastRenewAttempt: obtain.body.attempt.startedAt,
    });
    expect(failed.lastRenewError).toBe(failed.error);
    // The platform dialect says the same of the same record.
    const platform = await api.request('GET', `${certificates}/${obtain.body.certificate.id}`);
    expect(platform.body).toMatchObject({ status: 'failed', lastAttempt: { status: 'failed', error: failed.error } });
  });

  it("renew's 202 does not show the current certificate's dates as the new ones, and says how to follow", async () => {
    const project = await newProject('renew-follow.example.test');
    const obtain = await api.request('POST', `/api/v1/projects/${project}/certificate/obtain`, { body: { challengeType: 'http-01', keyType: 'ec' } });
    expect(obtain.status).toBe(202);
    const issued = await waitForAttempt(api, `${certificates}/${obtain.body.certificate.id}`);
    expect(issued.status).toBe('active');
    const before = await api.request('GET', `/api/v1/projects/${project}/certificate`);
    const statusPath = `/api/v1/projects/${project}/certificate/status`;

    const renew = await api.request('POST', `/api/v1/projects/${project}/certificate/renew`);
    expect(renew.status).toBe(202);
    expect(renew.headers.get('location')).toBe(statusPath);
    expect(renew.body).toEqual({
      success: true,
      certificate: { id: obtain.body.certificate.id, domain: 'renew-follow.example.test', issuedAt: null, expiresAt: null, renewedFrom: before.body.issuedAt },
      attempt: { id: expect.any(String), type: 'acme_renew', status: 'pending', startedAt: expect.any(String), statusUrl: statusPath },
      message: expect.stringContaining(`GET ${statusPath}`),
    });

    const renewed = await pollStatus(statusPath, (body) => body.lastRenewAttempt === renew.body.attempt.startedAt && body.status === 'valid');
    expect(renewed).toMatchObject({ lastRenewError: null });
    expect(renewed).not.toHaveProperty('success');
    await waitForAttempt(api, `${certificates}/${obtain.body.certificate.id}`);
    await api.stack.acme.workflow?.idle();
  });
});
