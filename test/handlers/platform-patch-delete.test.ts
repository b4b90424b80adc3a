import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import type { Certificate } from '../../shared/domain/certificate.ts';
import { isCertwrightError } from '../../shared/domain/errors.ts';
import { patchCertificate } from '../../shared/use-cases/patch-certificate.ts';
import { createPki } from '../support/certificates.ts';
import type { Leaf } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let base: string;

const MERGE = { 'content-type': 'application/merge-patch+json' };

const upload = async (names: string[]) => {
  const leaf = await pki.leaf({ names });
  const reply = await api.request('POST', base, {
    body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem },
  });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; name: string; [key: string]: any };
};

const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  api.request('PATCH', `${base}/${id}`, { body, headers: { ...MERGE, ...headers } });

const contentOf = (leaf: Leaf) => ({ certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem });

/** The key secrets that exist for one certificate in the local secret store. */
async function secretsOf(id: string): Promise<string[]> {
  const files = await readdir(process.env[ENV.secretDir] ?? '');
  return files.filter((file) => file.startsWith(encodeURIComponent(`certwright/certificates/${api.organizationId}/${id}/`)));
}

/** An ACME certificate as the workflow stores it: auto_managed, auto-renewing, its key in the secret store. */
async function storeAutoManaged(names: string[]): Promise<Certificate> {
  const leaf = await pki.leaf({ names });
  const deps = api.stack.deps;
  const id = deps.newId();
  const at = new Date().toISOString();
  const secretName = `certwright/certificates/${api.organizationId}/${id}/private-key`;
  await deps.secrets.put(secretName, leaf.privateKeyPem);
  const certificate: Certificate = {
    id,
    organizationId: api.organizationId,
    name: names[0] ?? '',
    domainName: names[0] ?? '',
    sans: names.map((name) => ({ id: deps.newId(), name, dnsStatus: 'valid', sslStatus: 'covered' })),
    type: 'auto_managed',
    status: 'active',
    issuer: 'Test Issuing CA Org',
    serialNumber: '01',
    fingerprint: 'sha256:00',
    notBefore: leaf.notBefore.toISOString(),
    notAfter: leaf.notAfter.toISOString(),
    keyType: 'ec',
    keySize: 256,
    certificateData: leaf.certificatePem,
    chainData: pki.intermediate.pem,
    privateKeySecretName: secretName,
    autoRenew: true,
    renewAt: new Date(leaf.notAfter.getTime() - 30 * 86_400_000).toISOString(),
    lastAttempt: { id: deps.newId(), type: 'acme_issue', status: 'succeeded', startedAt: at, finishedAt: at, error: null },
    attemptCount: 1,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await deps.certificates.create(certificate);
  return certificate;
}

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
  base = `/api/organizations/${api.organizationId}/certificates`;
});
afterAll(() => api.stop());

describe('PATCH /api/organizations/{organizationId}/certificates/{id} (merge patch)', () => {
  it('changes only what the patch names, answers with the resource and a new ETag', async () => {
    const created = await upload(['patch-name.example.com']);
    const before = await api.request('GET', `${base}/${created.id}`);
    expect(before.headers.get('etag')).toBe('W/"1"');

    const reply = await patch(created.id, { name: 'Storefront' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('W/"2"');
    expect(reply.body).toMatchObject({ '@type': 'Certificate', id: created.id, name: 'Storefront', fingerprint: created.fingerprint });
    // Absent properties are kept as they were.
    expect(reply.body.chainData).toBe(created.chainData);
    expect(reply.body.createdAt).toBe(created.createdAt);

    const after = await api.request('GET', `${base}/${created.id}`);
    expect(after.body.name).toBe('Storefront');
    expect(after.headers.get('etag')).toBe('W/"2"');
  });

  it('treats null as "remove": the name falls back to the domain, the chain goes away', async () => {
    const created = await upload(['patch-null.example.com']);
    await patch(created.id, { name: 'Temporary' });
    const reply = await patch(created.id, { name: null, chainData: null });
    expect(reply.status).toBe(200);
    expect(reply.body.name).toBe('patch-null.example.com');
    expect(reply.body.chainData).toBeNull();
  });

  it('replaces the chain alone when it links to the stored leaf, and refuses one that does not', async () => {
    const created = await upload(['patch-chain.example.com']);
    expect((await patch(created.id, { chainData: null })).body.chainData).toBeNull();
    const restored = await patch(created.id, { chainData: `${pki.root.pem}\n${pki.intermediate.pem}` });
    expect(restored.status).toBe(200);
    // Reordered from the leaf upwards: the intermediate first, then the root.
    const base64 = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
    const [first, second] = restored.body.chainData.split('-----END CERTIFICATE-----');
    expect([base64(first), base64(second)]).toEqual([base64(pki.intermediate.pem), base64(pki.root.pem)]);
    const stranger = await createPki();
    const refused = await patch(created.id, { chainData: stranger.intermediate.pem });
    expect(refused.status).toBe(422);
    expect(refused.body.violations).toEqual([{ propertyPath: 'chainData', message: expect.stringMatching(/not part of the leaf's chain/) }]);
    expect((await api.request('GET', `${base}/${created.id}`)).body.chainData).toBe(restored.body.chainData);
  });

  it('answers 415 for any other content type, and 400 for a body that is not an object', async () => {
    const created = await upload(['patch-media.example.com']);
    const asJson = await api.request('PATCH', `${base}/${created.id}`, { body: { name: 'x' } });
    expect(asJson.status).toBe(415);
    expect(asJson.body.detail).toContain('application/merge-patch+json');
    const array = await api.request('PATCH', `${base}/${created.id}`, { rawBody: '[]', headers: MERGE });
    expect(array.status).toBe(400);
    expect(array.body['@type']).toBe('hydra:Error');
    expect((await api.request('GET', `${base}/${created.id}`)).body.name).toBe('patch-media.example.com');
  });

  it('switches an auto_managed certificate to custom on new content, replacing its key secret', async () => {
    const auto = await storeAutoManaged(['switch.example.com']);
    const oldSecret = auto.privateKeySecretName ?? '';
    const leaf = await pki.leaf({ names: ['switch.example.com', 'www.switch.example.com'] });
    // The seed's own example sends type auto_managed with the new content; the result is custom all the same.
    const reply = await patch(auto.id, { type: 'auto_managed', ...contentOf(leaf) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: auto.id,
      type: 'custom',
      status: 'active',
      autoRenew: false,
      attemptCount: 2,
      lastAttempt: { type: 'custom_import', status: 'succeeded' },
      expiresAt: leaf.notAfter.toISOString().replace('.000Z', '+00:00'),
    });
    expect(reply.body.sans.map((san: { name: string }) => san.name)).toEqual(['switch.example.com', 'www.switch.example.com']);
    expect(reply.body).not.toHaveProperty('privateKeyData');
    expect(reply.text).not.toContain('PRIVATE KEY');

    const stored = await api.stack.deps.certificates.get(api.organizationId, auto.id);
    expect(stored?.privateKeySecretName).not.toBe(oldSecret);
    expect(await api.stack.deps.secrets.get(oldSecret)).toBeNull();
    expect(await api.stack.deps.secrets.get(stored?.privateKeySecretName ?? '')).toBe(
      (await import('node:crypto')).createPrivateKey(leaf.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }),
    );
    expect(await secretsOf(auto.id)).toHaveLength(1);
    const exported = await api.request('GET', `${base}/${auto.id}?include=privateKeyData`);
    expect(exported.body.privateKeyData).toContain('BEGIN PRIVATE KEY');
  });

  it.each([
    ['invalid PEM', async () => ({ certificateData: 'garbage', privateKeyData: 'garbage' }), /not PEM/],
    [
      'an expired certificate',
      async () => contentOf(await pki.leaf({ names: ['x.example.com'], notBefore: new Date(Date.now() - 9e9), notAfter: new Date(Date.now() - 1e6) })),
      /expired/,
    ],
    [
      'a key that does not match',
      async () => ({ ...contentOf(await pki.leaf({ names: ['x.example.com'] })), privateKeyData: (await pki.leaf({ names: ['y.example.com'] })).privateKeyPem }),
      /do not match/,
    ],
    ['certificateData without privateKeyData', async () => ({ certificateData: (await pki.leaf({ names: ['x.example.com'] })).certificatePem }), /together/],
    ['removing the key', async () => ({ privateKeyData: null }), /cannot be removed/],
    ['autoRenew on a custom certificate', async () => ({ autoRenew: true }), /auto_managed/],
    ['type auto_managed on a custom certificate', async () => ({ type: 'auto_managed' }), /cannot become auto_managed/],
  ])('answers 422 for %s and changes nothing', async (_, body, message) => {
    const created = await upload(['reject-patch.example.com']);
    const secretsBefore = await secretsOf(created.id);
    const reply = await patch(created.id, await body());
    expect(reply.status).toBe(422);
    expect(reply.body['@type']).toBe('ConstraintViolationList');
    expect(reply.body.violations.map((v: { message: string }) => v.message).join(' ')).toMatch(message);
    expect(reply.text).not.toContain('BEGIN PRIVATE KEY');
    const after = await api.request('GET', `${base}/${created.id}`);
    expect(after.headers.get('etag')).toBe('W/"1"');
    expect(after.body.fingerprint).toBe(created.fingerprint);
    expect(await secretsOf(created.id)).toEqual(secretsBefore);
  });

  it('answers 404 for an unknown id or another organization, 403 without certificates:write', async () => {
    const created = await upload(['patch-tenant.example.com']);
    expect((await patch('00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(404);
    const intruder = await createOrganizationWithToken(api.stack.deps);
    const foreign = await api.request('PATCH', `/api/organizations/${intruder.organization.id}/certificates/${created.id}`, {
      token: intruder.token,
      body: { name: 'stolen' },
      headers: MERGE,
    });
    expect(foreign.status).toBe(404);
    const reader = await createOrganizationWithToken(api.stack.deps, ['certificates:read']);
    const forbidden = await api.request('PATCH', `/api/organizations/${reader.organization.id}/certificates/${created.id}`, {
      token: reader.token,
      body: { name: 'x' },
      headers: MERGE,
    });
    expect(forbidden.status).toBe(403);
    expect((await api.request('GET', `${base}/${created.id}`)).body.name).toBe('patch-tenant.example.com');
  });
});

describe('optimistic concurrency', () => {
  it('honours If-Match: the current ETag wins, a stale one is 412', async () => {
    const created = await upload(['if-match.example.com']);
    const ok = await patch(created.id, { name: 'first' }, { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    const stale = await patch(created.id, { name: 'second' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toMatch(/changed since the ETag/);
    const garbage = await patch(created.id, { name: 'third' }, { 'if-match': 'nonsense' });
    expect(garbage.status).toBe(412);
    expect((await api.request('GET', `${base}/${created.id}`)).body.name).toBe('first');
  });

  it('lets exactly one of several truly concurrent patches with the same If-Match win, leaving one key secret', async () => {
    const created = await upload(['race.example.com']);
    const leaves = await Promise.all([1, 2, 3, 4, 5].map(() => pki.leaf({ names: ['race.example.com'] })));
    const replies = await Promise.all(leaves.map((leaf) => patch(created.id, contentOf(leaf), { 'if-match': 'W/"1"' })));
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412]);
    const winner = replies.find((reply) => reply.status === 200);
    const stored = await api.request('GET', `${base}/${created.id}?include=privateKeyData`);
    expect(stored.body.fingerprint).toBe(winner?.body.fingerprint);
    expect(stored.headers.get('etag')).toBe('W/"2"');
    expect(await secretsOf(created.id)).toHaveLength(1);
  });

  it('never loses a write among concurrent patches without If-Match: each one is either stored or refused with 409', async () => {
    const created = await upload(['race-409.example.com']);
    const names = Array.from({ length: 8 }, (_, index) => `name-${index}`);
    const replies = await Promise.all(names.map((name) => patch(created.id, { name })));
    for (const reply of replies) expect([200, 409]).toContain(reply.status);
    const accepted = replies.filter((reply) => reply.status === 200);
    const final = await api.request('GET', `${base}/${created.id}`);
    // Every accepted write moved the version by one: none was silently overwritten.
    expect(final.headers.get('etag')).toBe(`W/"${1 + accepted.length}"`);
    expect(accepted.map((reply) => reply.headers.get('etag')).sort()).toEqual(
      accepted.map((_, index) => `W/"${index + 2}"`).sort(),
    );
    expect(accepted.map((reply) => reply.body.name)).toContain(final.body.name);
  });

  it('gives the loser of a read-then-write race a 409 conflict', async () => {
    const created = await upload(['race-barrier.example.com']);
    const deps = api.stack.deps;
    // Both patches read version 1 before either writes: the second write must be refused, not applied.
    let reads = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const racing = {
      ...deps,
      certificates: {
        ...deps.certificates,
        get: async (organizationId: number, id: string) => {
          const found = await deps.certificates.get(organizationId, id);
          if (++reads === 2) release();
          await bothRead;
          return found;
        },
        update: (certificate: Certificate, expected: number) => deps.certificates.update(certificate, expected),
      },
    };
    const principal = { organizationId: api.organizationId, subject: 'test', scopes: [] };
    const results = await Promise.allSettled([
      patchCertificate(racing, principal, created.id, { name: 'left' }),
      patchCertificate(racing, principal, created.id, { name: 'right' }),
    ]);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const reason = (rejected[0] as PromiseRejectedResult).reason;
    expect(isCertwrightError(reason) && reason.code).toBe('conflict');
    const final = await api.request('GET', `${base}/${created.id}`);
    expect(final.headers.get('etag')).toBe('W/"2"');
  });
});

describe('DELETE /api/organizations/{organizationId}/certificates/{id}', () => {
  it('answers 204, forgets the certificate and its key, and uncounts it', async () => {
    const created = await upload(['delete-me.example.com']);
    const countBefore = (await api.request('GET', `${base}?itemsPerPage=0`)).body.totalItems;
    expect(await secretsOf(created.id)).toHaveLength(1);
    const reply = await api.request('DELETE', `${base}/${created.id}`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect((await api.request('GET', `${base}/${created.id}`)).status).toBe(404);
    expect((await api.request('GET', `${base}?itemsPerPage=0`)).body.totalItems).toBe(countBefore - 1);
    expect(await secretsOf(created.id)).toEqual([]);
    expect((await api.request('DELETE', `${base}/${created.id}`)).status).toBe(404);
  });

  it("answers 404 for another organization's certificate and keeps it", async () => {
    const created = await upload(['delete-foreign.example.com']);
    const intruder = await createOrganizationWithToken(api.stack.deps);
    const reply = await api.request('DELETE', `/api/organizations/${intruder.organization.id}/certificates/${created.id}`, {
      token: intruder.token,
    });
    expect(reply.status).toBe(404);
    expect(reply.body['@type']).toBe('hydra:Error');
    expect((await api.request('GET', `${base}/${created.id}`)).status).toBe(200);
  });
});
