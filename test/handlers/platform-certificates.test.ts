import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../support/certificates.ts';
import type { Leaf } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { secretFileCount } from '../support/stored-state.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let base: string;

const upload = (leaf: Leaf, extra: Record<string, unknown> = {}) =>
  api.request('POST', base, {
    body: { type: 'custom', certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem, ...extra },
  });

async function stored() {
  const collection = await api.request('GET', `${base}?itemsPerPage=0`);
  return { certificates: collection.body.totalItems as number, secrets: await secretFileCount() };
}

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
  base = `/api/organizations/${api.organizationId}/certificates`;
  // One stored certificate and key to begin with, so "nothing stored" compares with a count known to be right.
  expect((await upload(await pki.leaf({ names: ['already-there.example.com'] }))).status).toBe(201);
  expect(await stored()).toEqual({ certificates: 1, secrets: 1 });
});
afterAll(() => api.stop());

describe('POST /api/organizations/{organizationId}/certificates', () => {
  it('answers 201 with the seed certificate shape', async () => {
    const leaf = await pki.leaf({ names: ['example.com', 'www.example.com'] });
    const reply = await upload(leaf);
    expect(reply.status).toBe(201);
    const body = reply.body;
    const fingerprint = 'sha256:' + createHash('sha256').update(leaf.der).digest('hex').match(/../g)?.join(':');
    expect(body).toMatchObject({
      '@context': '/api/contexts/Certificate',
      '@id': `${base}/${body.id}`,
      '@type': 'Certificate',
      domainName: 'example.com',
      type: 'custom',
      status: 'active',
      issuer: 'Test Issuing CA Org',
      fingerprint,
      expiresAt: leaf.notAfter.toISOString().replace('.000Z', '+00:00'),
      organizationId: api.organizationId,
      attemptCount: 1,
      lastAttempt: { type: 'custom_import', status: 'succeeded' },
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.sans.map((san: { name: string; sslStatus: string }) => [san.name, san.sslStatus])).toEqual([
      ['example.com', 'covered'],
      ['www.example.com', 'covered'],
    ]);
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(body.chainData).toContain('BEGIN CERTIFICATE');
    expect(body).not.toHaveProperty('privateKeyData');
    expect(reply.headers.get('location')).toBe(`${base}/${body.id}`);
  });

  it('keeps the private key out of the table: only the secret store has it, and only export returns it', async () => {
    const leaf = await pki.leaf({ names: ['secret.example.com'] });
    const { body } = await upload(leaf);
    const record = await api.stack.deps.certificates.get(api.organizationId, body.id);
    expect(JSON.stringify(record)).not.toContain('PRIVATE KEY');
    expect(await api.stack.deps.secrets.get(record?.privateKeySecretName ?? '')).toContain('BEGIN PRIVATE KEY');

    const plain = await api.request('GET', `${base}/${body.id}`);
    expect(plain.body).not.toHaveProperty('privateKeyData');
    const exported = await api.request('GET', `${base}/${body.id}?include=privateKeyData`);
    expect(exported.status).toBe(200);
    expect(exported.body.privateKeyData).toContain('BEGIN PRIVATE KEY');
    expect(exported.headers.get('cache-control')).toBe('no-store');

    const readOnly = await createOrganizationWithToken(api.stack.deps, ['certificates:read']);
    const other = await api.request('GET', `/api/organizations/${readOnly.organization.id}/certificates`, { token: readOnly.token });
    expect(other.status).toBe(200);
  });

  it.each([
    ['bad PEM', async () => ({ certificateData: 'not a certificate' }), 'certificateData', /not PEM/],
    [
      'a mismatched key',
      async () => ({ privateKeyData: (await pki.leaf({ names: ['other.example.com'] })).privateKeyPem }),
      'privateKeyData',
      /do not match/,
    ],
    [
      'an expired certificate',
      async () => {
        const old = await pki.leaf({ names: ['old.example.com'], notBefore: new Date(Date.now() - 9e9), notAfter: new Date(Date.now() - 1e6) });
        return { certificateData: old.certificatePem, privateKeyData: old.privateKeyPem };
      },
      'certificateData',
      /expired/,
    ],
    [
      'an RSA-1024 key',
      async () => {
        const weak = await pki.leaf({ names: ['weak.example.com'], algorithm: 'rsa-1024' });
        return { certificateData: weak.certificatePem, privateKeyData: weak.privateKeyPem };
      },
      'certificateData',
      /1024 bits/,
    ],
    ['a missing key', async () => ({ privateKeyData: undefined }), 'privateKeyData', /required/],
  ])('rejects %s with 422 violations and stores nothing', async (_, override, propertyPath, message) => {
    const before = await stored();
    const leaf = await pki.leaf({ names: ['reject.example.com'] });
    const reply = await upload(leaf, await override());
    expect(reply.status).toBe(422);
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(reply.body['@type']).toBe('ConstraintViolationList');
    expect(reply.body.violations).toEqual([{ propertyPath, message: expect.stringMatching(message) }]);
    expect(await stored()).toEqual(before);
  });

  it('answers 413 for a body over 64 KiB, 400 for malformed JSON, 415 for another media type; nothing stored', async () => {
    const before = await stored();
    const big = await api.request('POST', base, { body: { certificateData: 'x'.repeat(70 * 1024), privateKeyData: 'y' } });
    expect(big.status).toBe(413);
    const malformed = await api.request('POST', base, { rawBody: '{"certificateData": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toBe('The request body is not valid JSON');
    const form = await api.request('POST', base, { rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(await stored()).toEqual(before);
  });
});

describe('GET collection and item', () => {
  it('pages with itemsPerPage and links that work when followed', async () => {
    const { organization, token } = await createOrganizationWithToken(api.stack.deps);
    const collectionPath = `/api/organizations/${organization.id}/certificates`;
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      const leaf = await pki.leaf({ names: [`${name}.example.com`] });
      const reply = await api.request('POST', collectionPath, {
        token,
        body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem },
      });
      expect(reply.status).toBe(201);
    }
    const first = await api.request('GET', `${collectionPath}?itemsPerPage=2`, { token });
    expect(first.body.totalItems).toBe(5);
    expect(first.body.member.map((m: { domainName: string }) => m.domainName)).toEqual(['p1.example.com', 'p2.example.com']);
    expect(first.body.view).toMatchObject({
      first: `${collectionPath}?itemsPerPage=2&page=1`,
      last: `${collectionPath}?itemsPerPage=2&page=3`,
      next: `${collectionPath}?itemsPerPage=2&page=2`,
    });
    expect(first.body.view).not.toHaveProperty('previous');
    expect(first.body.member[0]).not.toHaveProperty('privateKeyData');

    const names: string[] = [];
    let next: string | undefined = first.body.view['@id'];
    while (next) {
      const page = await api.request('GET', next, { token });
      names.push(...page.body.member.map((m: { domainName: string }) => m.domainName));
      next = page.body.view.next;
    }
    expect(names).toEqual(['p1', 'p2', 'p3', 'p4', 'p5'].map((n) => `${n}.example.com`));

    const last = await api.request('GET', first.body.view.last, { token });
    expect(last.body.member.map((m: { domainName: string }) => m.domainName)).toEqual(['p5.example.com']);
    expect(last.body.view.previous).toBe(`${collectionPath}?itemsPerPage=2&page=2`);
    const beyond = await api.request('GET', `${collectionPath}?page=9`, { token });
    expect(beyond.body.member).toEqual([]);
  });

  it.each(['itemsPerPage=101', 'itemsPerPage=-1', 'page=0', 'page=abc'])('answers 400 for %s', async (query) => {
    const reply = await api.request('GET', `${base}?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.body['@type']).toBe('hydra:Error');
  });

  it('answers 404 for an unknown certificate id', async () => {
    const reply = await api.request('GET', `${base}/00000000-0000-4000-8000-000000000000`);
    expect(reply.status).toBe(404);
  });
});

describe('authentication and tenant isolation', () => {
  it('answers 401 without a token or with a wrong one, with either header', async () => {
    expect((await api.request('GET', base, { token: null })).status).toBe(401);
    expect((await api.request('GET', base, { token: 'cw_wrong' })).status).toBe(401);
    const bearer = await api.request('GET', base, { token: null, headers: { authorization: `Bearer ${api.token}` } });
    expect(bearer.status).toBe(200);
  });

  it("answers 404 when organization A's token asks for organization B's certificate or collection", async () => {
    const leaf = await pki.leaf({ names: ['b-owned.example.com'] });
    const { body } = await upload(leaf);
    const intruder = await createOrganizationWithToken(api.stack.deps);
    const item = await api.request('GET', `${base}/${body.id}`, { token: intruder.token });
    const collection = await api.request('GET', base, { token: intruder.token });
    const unknownOrganization = await api.request('GET', '/api/organizations/999999/certificates', { token: intruder.token });
    expect([item.status, collection.status, unknownOrganization.status]).toEqual([404, 404, 404]);
    expect(item.body).toEqual(unknownOrganization.body);
    // Even in its own organization, the intruder cannot reach the certificate by id.
    const viaOwn = await api.request('GET', `/api/organizations/${intruder.organization.id}/certificates/${body.id}`, { token: intruder.token });
    expect(viaOwn.status).toBe(404);
  });

  it('reads a certificate while checking the credential, but answers for the credential first', async () => {
    const leaf = await pki.leaf({ names: ['read-ahead.example.com'] });
    const { body } = await upload(leaf);
    const missing = `${base}/00000000-0000-4000-8000-000000000000`;
    // A refused credential gets 401 whether or not the certificate exists, and never its content.
    for (const path of [`${base}/${body.id}`, missing]) {
      const refused = await api.request('GET', path, { token: 'cw_wrong' });
      expect(refused.status).toBe(401);
      expect(refused.text).not.toContain('BEGIN CERTIFICATE');
    }
    // A token without the read scope: 403, not the certificate.
    const blind = await createOrganizationWithToken(api.stack.deps, ['projects:read']);
    const blindPath = `/api/organizations/${blind.organization.id}/certificates/${body.id}`;
    expect((await api.request('GET', blindPath, { token: blind.token })).status).toBe(403);
    expect((await api.request('GET', missing)).status).toBe(404);
    expect((await api.request('GET', `${base}/${body.id}`)).body.id).toBe(body.id);
  });

  it('answers 403 when including the private key without the export scope', async () => {
    const reader = await createOrganizationWithToken(api.stack.deps, ['certificates:read', 'certificates:write']);
    const path = `/api/organizations/${reader.organization.id}/certificates`;
    const leaf = await pki.leaf({ names: ['scoped.example.com'] });
    const created = await api.request('POST', path, { token: reader.token, body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem } });
    const reply = await api.request('GET', `${path}/${created.body.id}?include=privateKeyData`, { token: reader.token });
    expect(reply.status).toBe(403);
    expect(reply.text).not.toContain('PRIVATE KEY');
  });
});
