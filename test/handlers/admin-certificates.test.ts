import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoActivationRepository } from '../../shared/adapters/dynamodb/activation-repository.ts';
import { DynamoCertificateRepository } from '../../shared/adapters/dynamodb/certificate-repository.ts';
import type { ActivationChange, ActivationScope } from '../../shared/domain/activation.ts';
import { MAX_ACTIVATION_BATCH, organizationScope, projectScope } from '../../shared/domain/activation.ts';
import { createdAtOf, newCertificateId } from '../../shared/domain/certificate-id.ts';
import { ConflictError } from '../../shared/domain/errors.ts';
import { setCertificateActivation } from '../../shared/use-cases/certificate-activation.ts';
import type { Project } from '../../shared/domain/project.ts';
import { createPki } from '../support/certificates.ts';
import type { Leaf } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { RequestOptions, TestApi } from '../support/local-api.ts';
import { barrier, watchMethod } from '../support/races.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;

const BASE = '/v1/organization/certificates';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The admin API is called with `Authorization: Bearer`, as its documentation shows. */
const admin = (method: string, path: string, options: RequestOptions = {}) => {
  const { token = api.token, ...rest } = options;
  return api.request(method, path, {
    ...rest,
    token: null,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(rest.headers ?? {}) },
  });
};

const seconds = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);

async function newLeaf(label = 'admin') {
  return pki.leaf({ names: [`${label}-${randomUUID().slice(0, 8)}.example.com`] });
}

const upload = (leaf: Leaf, extra: Record<string, unknown> = {}, token?: string) =>
  admin('POST', BASE, {
    token,
    body: { certificate: leaf.certificatePem, private_key: leaf.privateKeyPem, chain: pki.intermediate.pem, ...extra },
  });

async function uploaded(token?: string, name?: string): Promise<string> {
  const reply = await upload(await newLeaf(), name ? { name } : {}, token);
  expect(reply.status).toBe(200);
  return reply.body.id;
}

/** What the organization stores, straight from the core: nothing may change on a rejected call. */
const storedCount = async (organizationId = api.organizationId) =>
  (await api.stack.deps.certificates.listPage(organizationId, 0, 0)).totalItems;

async function createProject(organizationId = api.organizationId): Promise<Project> {
  const now = new Date().toISOString();
  const project: Project = {
    id: randomUUID(),
    organizationId,
    name: 'web',
    domain: null,
    certificateId: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await api.stack.deps.projects.create(project);
  return project;
}

const activeAt = async (path: string, id: string): Promise<boolean | undefined> => {
  const list = await admin('GET', `${path}?limit=100`);
  return list.body.data.find((item: { id: string }) => item.id === id)?.active;
};

function expectAdminError(reply: { status: number; body: any }, status: number, error: Record<string, unknown>) {
  expect(reply.status).toBe(status);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(Object.keys(reply.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(reply.body.error).toMatchObject(error);
}

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
});
afterAll(() => api.stop());

describe('POST /v1/organization/certificates (upload)', () => {
  it('answers 200 with the certificate object of the admin dialect, times in Unix seconds', async () => {
    const leaf = await newLeaf();
    const reply = await upload(leaf, { name: 'My Example Certificate' });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      object: 'certificate',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'My Example Certificate',
      created_at: expect.any(Number),
      certificate_details: { valid_at: seconds(leaf.notBefore), expires_at: seconds(leaf.notAfter) },
    });
    expect(Math.abs(reply.body.created_at - Date.now() / 1000)).toBeLessThan(60);
    expect(reply.text).not.toContain('PRIVATE KEY');
  });

  it('accepts a certificate without a private key (trust and mTLS) and stores no secret for it', async () => {
    const reply = await admin('POST', BASE, { body: { certificate: pki.root.pem, name: 'Partner root CA' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ object: 'certificate', name: 'Partner root CA' });
    const record = await api.stack.deps.certificates.get(api.organizationId, reply.body.id);
    expect(record?.privateKeySecretName).toBeNull();
  });

  it('names the certificate after its domain when no name is given', async () => {
    const leaf = await newLeaf('unnamed');
    const reply = await upload(leaf);
    expect(reply.body.name).toMatch(/^unnamed-.*\.example\.com$/);
  });

  it.each([
    ['text that is not PEM', async () => ({ certificate: 'not a certificate' }), 'certificate', 'invalid_certificate', /not PEM/],
    [
      'a key of another certificate',
      async () => ({ private_key: (await newLeaf()).privateKeyPem }),
      'private_key',
      'invalid_certificate',
      /do not match/,
    ],
    [
      'an expired certificate',
      async () => {
        const old = await pki.leaf({
          names: ['old.example.com'],
          notBefore: new Date(Date.now() - 9e9),
          notAfter: new Date(Date.now() - 1e6),
        });
        return { certificate: old.certificatePem, private_key: old.privateKeyPem };
      },
      'certificate',
      'invalid_certificate',
      /expired/,
    ],
    [
      'no certificate',
      async () => ({ certificate: undefined }),
      'certificate',
      'invalid_value',
      /Missing required parameter: 'certificate'/,
    ],
    ['an unknown field', async () => ({ privateKeyData: 'x' }), null, 'invalid_value', /Unrecognized request argument/],
    ['an empty name', async () => ({ name: ' ' }), 'name', 'invalid_value', /must not be empty/],
  ])('answers 400 for %s and stores nothing', async (_, override, param, code, message) => {
    const before = await storedCount();
    const reply = await upload(await newLeaf(), await override());
    expectAdminError(reply, 400, { type: 'invalid_request_error', code, message: expect.stringMatching(message) });
    if (param) expect(reply.body.error.param).toBe(param);
    expect(await storedCount()).toBe(before);
  });

  it('answers 413, 400 and 415 for an oversized, malformed or non-JSON body', async () => {
    const before = await storedCount();
    expectAdminError(await admin('POST', BASE, { body: { certificate: 'x'.repeat(70 * 1024) } }), 413, { code: 'request_too_large' });
    expectAdminError(await admin('POST', BASE, { rawBody: '{"certificate": ', headers: { 'content-type': 'application/json' } }), 400, {
      type: 'invalid_request_error',
      message: 'The request body is not valid JSON',
    });
    expectAdminError(await admin('POST', BASE, { rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, {
      code: 'unsupported_media_type',
    });
    expect(await storedCount()).toBe(before);
  });
});

describe('GET, modify and delete one certificate', () => {
  it('gets the certificate without content, and with the PEM when include[]=content', async () => {
    const leaf = await newLeaf();
    const id = (await upload(leaf, { name: 'get me' })).body.id;
    const plain = await admin('GET', `${BASE}/${id}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({
      object: 'certificate',
      id,
      name: 'get me',
      created_at: expect.any(Number),
      certificate_details: { valid_at: seconds(leaf.notBefore), expires_at: seconds(leaf.notAfter) },
    });
    const withContent = await admin('GET', `${BASE}/${id}?include[]=content`);
    expect(withContent.status).toBe(200);
    const content: string = withContent.body.certificate_details.content;
    expect(content.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(content.replace(/\s/g, '')).toContain(leaf.certificatePem.replace(/-----[A-Z ]+-----|\s/g, ''));
    expect(content).not.toContain('PRIVATE KEY');
  });

  it('answers 400 for an unknown include[] value and 404 in the admin style for an unknown id', async () => {
    const id = await uploaded();
    expectAdminError(await admin('GET', `${BASE}/${id}?include[]=private_key`), 400, { param: 'include[]' });
    expectAdminError(await admin('GET', `${BASE}/${UNKNOWN_ID}`), 404, { type: 'invalid_request_error', code: 'not_found' });
  });

  it('modifies the name only, and the platform dialect sees the new name', async () => {
    const id = await uploaded(undefined, 'before');
    const reply = await admin('POST', `${BASE}/${id}`, { body: { name: 'after' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ object: 'certificate', id, name: 'after' });
    const platform = await api.request('GET', `/api/organizations/${api.organizationId}/certificates/${id}`);
    expect(platform.body.name).toBe('after');

    expectAdminError(await admin('POST', `${BASE}/${id}`, { body: { name: 'x', certificate: 'y' } }), 400, {
      message: 'Only name can be modified.',
    });
    expectAdminError(await admin('POST', `${BASE}/${id}`, { body: {} }), 400, { param: 'name' });
    expectAdminError(await admin('POST', `${BASE}/${UNKNOWN_ID}`, { body: { name: 'x' } }), 404, { code: 'not_found' });
    expect((await admin('GET', `${BASE}/${id}`)).body.name).toBe('after');
  });

  it('sends an ETag, and with If-Match modifies only the version the client saw (else 412)', async () => {
    const id = await uploaded(undefined, 'v1');
    const etag = (await admin('GET', `${BASE}/${id}`)).headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"\d+"$/);
    const renamed = await admin('POST', `${BASE}/${id}`, { body: { name: 'v2' }, headers: { 'if-match': etag } });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).not.toBe(etag);
    const stale = await admin('POST', `${BASE}/${id}`, { body: { name: 'v3' }, headers: { 'if-match': etag } });
    expectAdminError(stale, 412, { code: 'precondition_failed' });
    expect((await admin('GET', `${BASE}/${id}`)).body.name).toBe('v2');
  });

  it('deletes an inactive certificate with its key secret, and answers 404 afterwards', async () => {
    const id = await uploaded();
    const secretName = (await api.stack.deps.certificates.get(api.organizationId, id))?.privateKeySecretName ?? '';
    expect(await api.stack.deps.secrets.get(secretName)).toContain('PRIVATE KEY');
    const before = await storedCount();

    const reply = await admin('DELETE', `${BASE}/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ id, object: 'certificate.deleted' });
    expect(await storedCount()).toBe(before - 1);
    expect(await api.stack.deps.secrets.get(secretName)).toBeNull();
    expect((await admin('GET', `${BASE}/${id}`)).status).toBe(404);
    expect((await api.request('GET', `/api/organizations/${api.organizationId}/certificates/${id}`)).status).toBe(404);
    expectAdminError(await admin('DELETE', `${BASE}/${id}`), 404, { code: 'not_found' });
  });

  it('refuses with 409 to delete a certificate active for the organization or a project, and keeps it whole', async () => {
    const id = await uploaded();
    const project = await createProject();
    const projectBase = `/v1/organization/projects/${project.id}/certificates`;
    const before = await storedCount();

    expect((await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [id] } })).status).toBe(200);
    expectAdminError(await admin('DELETE', `${BASE}/${id}`), 409, { type: 'invalid_request_error', code: 'conflict' });

    expect((await admin('POST', `${projectBase}/activate`, { body: { certificate_ids: [id] } })).status).toBe(200);
    expect((await admin('POST', `${BASE}/deactivate`, { body: { certificate_ids: [id] } })).status).toBe(200);
    const stillActiveInProject = await admin('DELETE', `${BASE}/${id}`);
    expectAdminError(stillActiveInProject, 409, {
      message: `The certificate is active for project ${project.id}; deactivate it there before deleting it`,
    });
    expect(await storedCount()).toBe(before);
    const record = await api.stack.deps.certificates.get(api.organizationId, id);
    expect(await api.stack.deps.secrets.get(record?.privateKeySecretName ?? '')).toContain('PRIVATE KEY');

    expect((await admin('POST', `${projectBase}/deactivate`, { body: { certificate_ids: [id] } })).status).toBe(200);
    expect((await admin('DELETE', `${BASE}/${id}`)).status).toBe(200);
    expect(await storedCount()).toBe(before - 1);
  });

  it('deletes a certificate whose only activation is for a project that has since been deleted', async () => {
    const id = await uploaded();
    const project = await createProject();
    expect(
      (await admin('POST', `/v1/organization/projects/${project.id}/certificates/activate`, { body: { certificate_ids: [id] } })).status,
    ).toBe(200);
    await api.stack.deps.projects.delete(api.organizationId, project.id);
    expect((await admin('DELETE', `${BASE}/${id}`)).status).toBe(200);
    expect(await api.stack.deps.activations.scopesOf(id)).toEqual([]);
  });
});

describe('activate and deactivate for the organization', () => {
  it('switches certificates on and off, replying with organization.certificate objects, idempotently', async () => {
    const [a, b] = [await uploaded(), await uploaded()];
    const activate = await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [a, b] } });
    expect(activate.status).toBe(200);
    expect(activate.body).toMatchObject({ object: 'list', first_id: a, last_id: b, has_more: false });
    expect(activate.body.data).toEqual([
      expect.objectContaining({ object: 'organization.certificate', id: a, active: true, certificate_details: expect.any(Object) }),
      expect.objectContaining({ object: 'organization.certificate', id: b, active: true }),
    ]);
    expect(await activeAt(BASE, a)).toBe(true);

    // Activating an active certificate again is fine and changes nothing.
    const again = await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [a, a] } });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual([expect.objectContaining({ id: a, active: true })]);

    const deactivate = await admin('POST', `${BASE}/deactivate`, { body: { certificate_ids: [a] } });
    expect(deactivate.status).toBe(200);
    expect(deactivate.body.data).toEqual([expect.objectContaining({ object: 'organization.certificate', id: a, active: false })]);
    expect(await activeAt(BASE, a)).toBe(false);
    expect(await activeAt(BASE, b)).toBe(true);
    expect((await admin('POST', `${BASE}/deactivate`, { body: { certificate_ids: [a] } })).status).toBe(200);
    expect((await api.stack.deps.activations.scopesOf(a)).length).toBe(0);
    expect(await api.stack.deps.activations.scopesOf(b)).toEqual([{ type: 'organization' }]);
    // The scope's set of active ids, which lists read, agrees with the per-certificate switches.
    const activeSet = await api.stack.deps.activations.activeIn(api.organizationId, { type: 'organization' });
    expect([activeSet.has(a), activeSet.has(b)]).toEqual([false, true]);
  });

  it('is atomic: one unknown id in a batch answers 404 and changes nothing', async () => {
    const [a, b] = [await uploaded(), await uploaded()];
    const failed = await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [a, UNKNOWN_ID, b] } });
    expectAdminError(failed, 404, { code: 'not_found', message: expect.stringContaining(UNKNOWN_ID) });
    expect(await activeAt(BASE, a)).toBe(false);
    expect(await activeAt(BASE, b)).toBe(false);

    await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [a, b] } });
    const failedOff = await admin('POST', `${BASE}/deactivate`, { body: { certificate_ids: [a, b, UNKNOWN_ID] } });
    expect(failedOff.status).toBe(404);
    expect([await activeAt(BASE, a), await activeAt(BASE, b)]).toEqual([true, true]);
  });

  it('keeps count under concurrency: parallel activations of one certificate switch it on once, so one deactivate frees it', async () => {
    const id = await uploaded();
    // All four read "inactive" before any writes: three writes must be refused as lost races, then read again.
    const meet = barrier(4);
    const reads = watchMethod(DynamoActivationRepository.prototype, 'activeAmong', async (call, _args, index) => {
      const result = await call();
      if (index < 4) await meet.arrive();
      return result;
    });
    const writes = watchMethod(DynamoActivationRepository.prototype, 'apply');
    let replies;
    try {
      replies = await Promise.all(Array.from({ length: 4 }, () => admin('POST', `${BASE}/activate`, { body: { certificate_ids: [id] } })));
    } finally {
      reads.restore();
      writes.restore();
    }
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
    const outcomes = writes.calls.map((call) => [(call.args[2] as ActivationChange).switching.length, call.outcome]);
    // One switch, three refused switches, then three checks that it is on (the idempotent retries).
    expect(outcomes.filter(([, outcome]) => outcome === 'threw')).toEqual([
      [1, 'threw'],
      [1, 'threw'],
      [1, 'threw'],
    ]);
    expect(outcomes.filter(([, outcome]) => outcome === 'returned').sort()).toEqual([
      [0, 'returned'],
      [0, 'returned'],
      [0, 'returned'],
      [1, 'returned'],
    ]);
    expect((await admin('POST', `${BASE}/deactivate`, { body: { certificate_ids: [id] } })).status).toBe(200);
    expect((await admin('DELETE', `${BASE}/${id}`)).status).toBe(200);
  });

  it('orders an idempotent call too: one that read its batch as switched on loses to a deactivate that landed since, and switches it on', async () => {
    const [a, b] = [await uploaded(), await uploaded()];
    expect((await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [a, b] } })).status).toBe(200);
    // The deactivate commits between the activation's read (both on: nothing to switch) and its write.
    let deactivated = 0;
    const reads = watchMethod(DynamoActivationRepository.prototype, 'activeAmong', async (call, _args, index) => {
      const result = await call();
      if (index === 0) deactivated = (await admin('POST', `${BASE}/deactivate`, { body: { certificate_ids: [a, b] } })).status;
      return result;
    });
    const writes = watchMethod(DynamoActivationRepository.prototype, 'apply');
    let activated;
    try {
      activated = await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [a, b] } });
    } finally {
      reads.restore();
      writes.restore();
    }
    expect([deactivated, activated.status]).toEqual([200, 200]);
    // Writes in order: the deactivate; the activation's check that both are still on, refused; the activation again.
    const changes = writes.calls.map((call) => [call.args[2] as ActivationChange, call.outcome] as const);
    expect(changes.map(([change, outcome]) => [change.active, change.switching.length, outcome])).toEqual([
      [false, 2, 'returned'],
      [true, 0, 'threw'],
      [true, 2, 'returned'],
    ]);
    expect([await activeAt(BASE, a), await activeAt(BASE, b)]).toEqual([true, true]);
  });

  it('never deletes a certificate that an activation racing with the delete switched on: the delete lands between the activation\'s read and write', async () => {
    const id = await uploaded();
    let deletion = 0;
    const writes = watchMethod(DynamoActivationRepository.prototype, 'apply', async (call, _args, index) => {
      if (index === 0) deletion = (await admin('DELETE', `${BASE}/${id}`)).status;
      return call();
    });
    let activation;
    try {
      activation = await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [id] } });
    } finally {
      writes.restore();
    }
    // The activation's write was refused (the certificate it read is gone), it read again and found nothing.
    expect(writes.calls.map((call) => [call.outcome, call.error instanceof ConflictError])).toEqual([['threw', true]]);
    expect([deletion, activation.status]).toEqual([200, 404]);
    expect((await admin('GET', `${BASE}/${id}`)).status).toBe(404);
    expect(await api.stack.deps.activations.scopesOf(id)).toEqual([]);
  });

  it('never deletes a certificate that an activation racing with the delete switched on: the activation lands between the delete\'s read and write', async () => {
    const id = await uploaded();
    let activation = 0;
    const deletes = watchMethod(DynamoCertificateRepository.prototype, 'delete', async (call, _args, index) => {
      if (index === 0) activation = (await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [id] } })).status;
      return call();
    });
    let deletion;
    try {
      deletion = await admin('DELETE', `${BASE}/${id}`);
    } finally {
      deletes.restore();
    }
    // The delete's write was refused by the activation count it conditions on, not by a check made before it.
    expect(deletes.calls.map((call) => [call.outcome, call.error instanceof ConflictError])).toEqual([['threw', true]]);
    expectAdminError(deletion, 409, { code: 'conflict', message: expect.stringContaining('active for the organization') });
    expect([activation, (await admin('GET', `${BASE}/${id}`)).status]).toEqual([200, 200]);
    expect(await api.stack.deps.activations.scopesOf(id)).toEqual([{ type: 'organization' }]);
  });

  it.each([
    ['no ids', { certificate_ids: [] }, /1 to 10/],
    ['eleven ids', { certificate_ids: Array.from({ length: 11 }, () => UNKNOWN_ID) }, /1 to 10/],
    ['no certificate_ids', {}, /Missing required parameter: 'certificate_ids'/],
    ['a number for an id', { certificate_ids: [42] }, /must be a string/],
  ])('answers 400 for %s', async (_, body, message) => {
    expectAdminError(await admin('POST', `${BASE}/activate`, { body }), 400, {
      type: 'invalid_request_error',
      message: expect.stringMatching(message),
    });
  });

  it("treats another organization's certificate as unknown", async () => {
    const mine = await uploaded();
    const other = await createOrganizationWithToken(api.stack.deps);
    const theirs = await uploaded(other.token);
    expect((await admin('POST', `${BASE}/activate`, { body: { certificate_ids: [theirs] } })).status).toBe(404);
    expect((await admin('POST', `${BASE}/activate`, { token: other.token, body: { certificate_ids: [mine, theirs] } })).status).toBe(404);
    expect((await admin('GET', `${BASE}/${mine}`, { token: other.token })).status).toBe(404);
    expect((await admin('DELETE', `${BASE}/${mine}`, { token: other.token })).status).toBe(404);
    expect(await activeAt(BASE, mine)).toBe(false);
  });
});

describe('activate and deactivate for a project', () => {
  it('lists, activates and deactivates organization.project.certificate objects, apart from the organization switch', async () => {
    const id = await uploaded();
    const project = await createProject();
    const projectBase = `/v1/organization/projects/${project.id}/certificates`;

    const listed = await admin('GET', `${projectBase}?limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((item: { id: string }) => item.id === id)).toMatchObject({
      object: 'organization.project.certificate',
      id,
      active: false,
    });

    const activated = await admin('POST', `${projectBase}/activate`, { body: { certificate_ids: [id] } });
    expect(activated.status).toBe(200);
    expect(activated.body.data).toEqual([expect.objectContaining({ object: 'organization.project.certificate', id, active: true })]);
    expect(await activeAt(projectBase, id)).toBe(true);
    expect(await activeAt(BASE, id)).toBe(false);
    const otherProject = await createProject();
    expect(await activeAt(`/v1/organization/projects/${otherProject.id}/certificates`, id)).toBe(false);
    expect((await admin('POST', `${projectBase}/activate`, { body: { certificate_ids: [id] } })).status).toBe(200);

    const failed = await admin('POST', `${projectBase}/deactivate`, { body: { certificate_ids: [id, UNKNOWN_ID] } });
    expect(failed.status).toBe(404);
    expect(await activeAt(projectBase, id)).toBe(true);

    const deactivated = await admin('POST', `${projectBase}/deactivate`, { body: { certificate_ids: [id] } });
    expect(deactivated.body.data).toEqual([expect.objectContaining({ id, active: false })]);
    expect(await activeAt(projectBase, id)).toBe(false);
  });

  it("answers 404 for an unknown project and for another organization's project", async () => {
    const id = await uploaded();
    const other = await createOrganizationWithToken(api.stack.deps);
    const foreign = await createProject(other.organization.id);
    for (const projectId of [UNKNOWN_ID, foreign.id]) {
      const base = `/v1/organization/projects/${projectId}/certificates`;
      expectAdminError(await admin('GET', base), 404, { code: 'not_found' });
      expectAdminError(await admin('POST', `${base}/activate`, { body: { certificate_ids: [id] } }), 404, { code: 'not_found' });
    }
    expect(await api.stack.deps.activations.scopesOf(id)).toEqual([]);
  });
});

describe('concurrent activate and deactivate of one batch (admin dialect: batches are atomic)', () => {
  const TRIALS = 30;
  type Level = 'organization' | 'project';
  type State = 'all active' | 'all inactive' | 'mixed';

  interface Batch {
    organizationId: number;
    token: string;
    base: string;
    scope: ActivationScope;
    ids: string[];
  }

  /** A full batch of certificates in a fresh organization, switched for the organization or for one of its projects. */
  async function batchFor(level: Level): Promise<Batch> {
    const { organization, token } = await createOrganizationWithToken(api.stack.deps);
    const ids = await Promise.all(Array.from({ length: MAX_ACTIVATION_BATCH }, () => uploaded(token)));
    if (level === 'organization') return { organizationId: organization.id, token, base: BASE, scope: organizationScope, ids };
    const project = await createProject(organization.id);
    return {
      organizationId: organization.id,
      token,
      base: `/v1/organization/projects/${project.id}/certificates`,
      scope: projectScope(project.id),
      ids,
    };
  }

  const send = (batch: Batch, verb: 'activate' | 'deactivate', ids = batch.ids) =>
    admin('POST', `${batch.base}/${verb}`, { token: batch.token, body: { certificate_ids: ids } });

  const stateOf = (actives: readonly (boolean | undefined)[]): State =>
    actives.every((active) => active === true) ? 'all active' : actives.every((active) => active === false) ? 'all inactive' : 'mixed';

  /** What the list says (the scope's set of active ids), checked against the per-certificate switches. */
  async function stored(batch: Batch): Promise<State> {
    const list = await admin('GET', `${batch.base}?limit=100`, { token: batch.token });
    const listed = new Map<string, boolean>(list.body.data.map((item: { id: string; active: boolean }) => [item.id, item.active]));
    const switches = await api.stack.deps.activations.activeAmong(batch.scope, batch.ids);
    expect(batch.ids.map((id) => listed.get(id))).toEqual(batch.ids.map((id) => switches.has(id)));
    return stateOf(batch.ids.map((id) => listed.get(id)));
  }

  /**
   * Five of ten on, then an activate and a deactivate of all ten at once. The activation store of the handlers is
   * watched: which call had a write refused because the other changed the same switches first (and then retried),
   * which committed in what order, and whether both calls had read before either committed (the contested case).
   * With `together`, each call's first read waits for the other's, so every trial is the contested case.
   */
  async function trial(batch: Batch, together: boolean) {
    // Set up straight through the core (quicker than two more requests): five on, five off.
    const principal = { organizationId: batch.organizationId, subject: 'test', scopes: [] };
    await setCertificateActivation(api.stack.deps, principal, batch.scope, batch.ids, false);
    await setCertificateActivation(api.stack.deps, principal, batch.scope, batch.ids.slice(0, 5), true);
    const events: ('read' | 'commit')[] = [];
    const committed: boolean[] = [];
    const meet = barrier(2);
    const reads = watchMethod(DynamoActivationRepository.prototype, 'activeAmong', async (call, _args, index) => {
      const result = await call();
      events.push('read');
      if (together && index < 2) await meet.arrive();
      return result;
    });
    const writes = watchMethod(DynamoActivationRepository.prototype, 'apply', async (call, args) => {
      await call();
      events.push('commit');
      committed.push((args[2] as ActivationChange).active);
    });
    let replies;
    try {
      replies = await Promise.all([send(batch, 'activate'), send(batch, 'deactivate')]);
    } finally {
      reads.restore();
      writes.restore();
    }
    const lost = writes.calls
      .filter((call) => call.outcome === 'threw' && call.error instanceof ConflictError)
      .map((call) => (call.args[2] as ActivationChange).active);
    const last = committed.at(-1);
    return {
      statuses: replies.map((reply) => reply.status),
      replies: replies.map((reply) => stateOf((reply.body.data ?? []).map((item: { active: boolean }) => item.active))),
      final: await stored(batch),
      /** What the call that committed last asked for: all or none, whichever came last. */
      lastCommitted: last === undefined ? 'nothing' : last ? 'all active' : 'all inactive',
      lostRaces: lost.length,
      /** The loser read again and committed after the winner. */
      loserCommittedLast: lost.every((active) => active === last),
      bothReadFirst: events[0] === 'read' && events[1] === 'read',
    };
  }

  /**
   * Runs the trials and checks what every one of them must show: both calls 200, each replying as it asked, the
   * batch all one way, as the call that committed last asked; where both read first, exactly one write refused, and
   * the loser's retry committed last.
   */
  async function allOrNone(level: Level, together: boolean) {
    const batch = await batchFor(level);
    const outcomes = [];
    for (let index = 0; index < TRIALS; index += 1) outcomes.push(await trial(batch, together));
    expect(outcomes).toEqual(
      outcomes.map((outcome) => ({
        ...outcome,
        statuses: [200, 200],
        replies: ['all active', 'all inactive'],
        final: outcome.lastCommitted,
        // Both read first: one must lose. Otherwise the second may still lose to a commit that landed mid-read.
        lostRaces: outcome.bothReadFirst ? 1 : Math.min(outcome.lostRaces, 1),
        loserCommittedLast: true,
      })),
    );
    return outcomes;
  }

  it.each<[Level]>([['organization'], ['project']])(
    '%s level: with both calls reading before either writes, one write is refused and retried, and the batch ends all on or all off (30 trials)',
    async (level) => {
      const outcomes = await allOrNone(level, true);
      expect(outcomes.filter((outcome) => outcome.bothReadFirst)).toHaveLength(TRIALS);
    },
    120_000,
  );

  it.each<[Level]>([['organization'], ['project']])(
    '%s level: unhooked concurrent calls never leave a mix, and the contested case is among the 30 trials',
    async (level) => {
      const outcomes = await allOrNone(level, false);
      expect(outcomes.filter((outcome) => outcome.bothReadFirst).length).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe('GET /v1/organization/certificates (cursor list)', () => {
  it('pages with limit and after in both orders, with first_id, last_id and has_more', async () => {
    const { token } = await createOrganizationWithToken(api.stack.deps);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await uploaded(token, `c${index}`));

    const walk = async (order: string) => {
      const seen: string[] = [];
      const pages: boolean[] = [];
      let after: string | null = null;
      for (;;) {
        const reply = await admin('GET', `${BASE}?limit=2&order=${order}${after ? `&after=${after}` : ''}`, { token });
        expect(reply.status).toBe(200);
        expect(reply.body.object).toBe('list');
        const pageIds = reply.body.data.map((item: { id: string }) => item.id);
        expect(reply.body.first_id).toBe(pageIds[0]);
        expect(reply.body.last_id).toBe(pageIds.at(-1));
        seen.push(...pageIds);
        pages.push(reply.body.has_more);
        if (!reply.body.has_more) return { seen, pages };
        after = reply.body.last_id;
      }
    };
    expect(await walk('asc')).toEqual({ seen: ids, pages: [true, true, false] });
    expect(await walk('desc')).toEqual({ seen: [...ids].reverse(), pages: [true, true, false] });

    const firstPage = await admin('GET', BASE, { token });
    expect(firstPage.body.data.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
    expect(firstPage.body.has_more).toBe(false);
    expect(firstPage.body.data[0]).toEqual({
      object: 'organization.certificate',
      id: ids[4],
      name: 'c4',
      active: false,
      created_at: expect.any(Number),
      certificate_details: { valid_at: expect.any(Number), expires_at: expect.any(Number) },
    });
    const exact = await admin('GET', `${BASE}?limit=5&order=asc`, { token });
    expect([exact.body.data.length, exact.body.has_more]).toEqual([5, false]);
  });

  it('resumes behind a cursor this process never served: at the creation time its id carries, or read when the id carries another', async () => {
    const { organization, token } = await createOrganizationWithToken(api.stack.deps);
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) ids.push(await uploaded(token, `c${index}`));
    const pageAfter = async (after: string, order: string) => {
      const reply = await admin('GET', `${BASE}?limit=2&order=${order}&after=${after}`, { token });
      expect(reply.status).toBe(200);
      return reply.body.data.map((item: { id: string }) => item.id);
    };
    // New ids carry their creation time (UUIDv7), read straight from the id.
    expect(createdAtOf(ids[1] ?? '')).toBe((await api.stack.deps.certificates.get(organization.id, ids[1] ?? ''))?.createdAt);
    expect(await pageAfter(ids[1] ?? '', 'asc')).toEqual(ids.slice(2, 4));

    // An id whose time is not the certificate's (an hour early here): the page is still the one behind its real time.
    const first = await api.stack.deps.certificates.get(organization.id, ids[0] ?? '');
    if (!first) throw new Error('the first upload is missing');
    const later = new Date(Date.now() + 1000).toISOString();
    const odd = { ...first, id: newCertificateId(new Date(Date.now() - 3_600_000)), name: 'odd', createdAt: later, updatedAt: later };
    await api.stack.deps.certificates.create(odd);
    expect(await pageAfter(odd.id, 'asc')).toEqual([]);
    expect(await pageAfter(odd.id, 'desc')).toEqual([ids[3], ids[2]]);

    // A UUIDv7 no certificate has: 404, as for any unknown cursor.
    expectAdminError(await admin('GET', `${BASE}?after=${newCertificateId(new Date())}`, { token }), 404, { param: null });
  });

  it('answers an empty list with null ids for an organization without certificates', async () => {
    const { token } = await createOrganizationWithToken(api.stack.deps);
    expect((await admin('GET', BASE, { token })).body).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it.each([
    ['limit=0', 400, 'limit'],
    ['limit=101', 400, 'limit'],
    ['limit=ten', 400, 'limit'],
    ['order=newest', 400, 'order'],
    [`after=${UNKNOWN_ID}`, 404, null],
  ])('answers %s with %i', async (query, status, param) => {
    expectAdminError(await admin('GET', `${BASE}?${query}`), status, { param });
  });
});

describe('one record across dialects', () => {
  it('shows a platform upload in the admin dialect with the same id and created_at', async () => {
    const leaf = await newLeaf('platform');
    const created = await api.request('POST', `/api/organizations/${api.organizationId}/certificates`, {
      body: { type: 'custom', name: 'from platform', certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem },
    });
    expect(created.status).toBe(201);
    const seen = await admin('GET', `${BASE}/${created.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: created.body.id, name: 'from platform', created_at: seconds(created.body.createdAt) });
    expect(seen.body.certificate_details.expires_at).toBe(seconds(created.body.expiresAt));
    const listed = await admin('GET', `${BASE}?limit=100`);
    expect(listed.body.data.map((item: { id: string }) => item.id)).toContain(created.body.id);
  });

  it('shows a projects-dialect upload in the admin dialect with the same id and created_at', async () => {
    const project = { ...(await createProject()), domain: `shop-${randomUUID().slice(0, 8)}.example.com` };
    await api.stack.deps.projects.update(project, project.version);
    const leaf = await pki.leaf({ names: [project.domain] });
    const created = await api.request('POST', `/api/v1/projects/${project.id}/certificate/upload`, {
      body: { certificate: `${leaf.certificatePem}\n${pki.intermediate.pem}`, privateKey: leaf.privateKeyPem },
    });
    expect(created.status).toBe(200);
    const id = (await api.stack.deps.projects.get(api.organizationId, project.id))?.certificateId ?? '';
    const record = await api.stack.deps.certificates.get(api.organizationId, id);
    const seen = await admin('GET', `${BASE}/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      id,
      created_at: seconds(record?.createdAt ?? ''),
      certificate_details: { expires_at: seconds(leaf.notAfter) },
    });
    const listed = await admin('GET', `${BASE}?limit=100`);
    expect(listed.body.data.map((item: { id: string }) => item.id)).toContain(id);
  });

  it('shows an admin upload in the platform dialect with the same id and createdAt', async () => {
    const leaf = await newLeaf('adminside');
    const created = await upload(leaf, { name: 'from admin' });
    const seen = await api.request('GET', `/api/organizations/${api.organizationId}/certificates/${created.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: created.body.id, name: 'from admin', type: 'custom', status: 'active' });
    expect(seconds(seen.body.createdAt)).toBe(created.body.created_at);
  });
});

describe('authentication and scopes', () => {
  it('answers 401 in the admin style without a valid token', async () => {
    expectAdminError(await admin('GET', BASE, { token: null }), 401, { type: 'invalid_request_error', code: 'invalid_api_key' });
    expectAdminError(await admin('GET', BASE, { token: 'cw_wrong' }), 401, { code: 'invalid_api_key' });
  });

  it('answers 403 when a read-only token uploads, activates or deletes', async () => {
    const reader = await createOrganizationWithToken(api.stack.deps, ['certificates:read']);
    expect((await admin('GET', BASE, { token: reader.token })).status).toBe(200);
    expectAdminError(await upload(await newLeaf(), {}, reader.token), 403, { code: 'insufficient_permissions' });
    expectAdminError(await admin('POST', `${BASE}/activate`, { token: reader.token, body: { certificate_ids: [UNKNOWN_ID] } }), 403, {
      code: 'insufficient_permissions',
    });
    expect((await admin('DELETE', `${BASE}/${UNKNOWN_ID}`, { token: reader.token })).status).toBe(403);
  });
});
