import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../support/certificates.ts';
import { createOrganizationWithToken, startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

let api: TestApi;
let pki: Awaited<ReturnType<typeof createPki>>;
let certificates: string;
let mappings: string;

const MERGE = { 'content-type': 'application/merge-patch+json' };

async function upload(names: string[]) {
  const leaf = await pki.leaf({ names });
  const reply = await api.request('POST', certificates, {
    body: { certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem },
  });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; '@id': string; [key: string]: any };
}

const map = (hostname: string, certificate: string) => api.request('POST', mappings, { body: { hostname, certificate } });

beforeAll(async () => {
  [api, pki] = await Promise.all([startTestApi(), createPki()]);
  certificates = `/api/organizations/${api.organizationId}/certificates`;
  mappings = `/api/organizations/${api.organizationId}/hostname-mappings`;
});
afterAll(() => api.stop());

describe('hostname mappings', () => {
  it('maps a hostname to a certificate that covers it', async () => {
    const certificate = await upload(['shop.example.com', 'www.shop.example.com']);
    const reply = await map('WWW.Shop.Example.com.', certificate['@id']);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      '@context': '/api/contexts/HostnameMapping',
      '@id': `${mappings}/www.shop.example.com`,
      '@type': 'HostnameMapping',
      hostname: 'www.shop.example.com',
      certificate: certificate['@id'],
      certificateId: certificate.id,
      sslStatus: 'covered',
      certificateStatus: 'active',
      expiresAt: certificate.expiresAt,
      organizationId: api.organizationId,
    });
    expect(reply.headers.get('location')).toBe(`${mappings}/www.shop.example.com`);
    expect(reply.headers.get('etag')).toBe('W/"1"');

    const got = await api.request('GET', `${mappings}/www.shop.example.com`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(reply.body);
    // The bare id works as well as the IRI.
    expect((await map('shop.example.com', certificate.id)).status).toBe(201);

    const list = await api.request('GET', `${mappings}?certificate=${encodeURIComponent(certificate['@id'])}`);
    expect(list.body['@type']).toBe('Collection');
    expect(list.body.totalItems).toBe(2);
    expect(list.body.member.map((m: { hostname: string }) => m.hostname)).toEqual(['shop.example.com', 'www.shop.example.com']);
  });

  it('pages a filtered list with links that keep the filter', async () => {
    const certificate = await upload(['a.paged.example.com', 'b.paged.example.com']);
    const other = await upload(['c.paged.example.com']);
    for (const hostname of ['a.paged.example.com', 'b.paged.example.com']) expect((await map(hostname, certificate.id)).status).toBe(201);
    expect((await map('c.paged.example.com', other.id)).status).toBe(201);

    const first = await api.request('GET', `${mappings}?certificate=${certificate.id}&itemsPerPage=1`);
    expect(first.body.totalItems).toBe(2);
    expect(first.body.view.next).toBe(`${mappings}?certificate=${certificate.id}&itemsPerPage=1&page=2`);
    expect(first.body.search.template).toBe(`${mappings}{?certificate,page,itemsPerPage}`);
    const second = await api.request('GET', first.body.view.next);
    expect(second.body.member.map((m: { hostname: string }) => m.hostname)).toEqual(['b.paged.example.com']);
    expect(second.body.view.next).toBeUndefined();
    // An empty filter is no filter.
    const unfiltered = await api.request('GET', `${mappings}?certificate=&itemsPerPage=1`);
    expect(unfiltered.body.totalItems).toBeGreaterThanOrEqual(3);
    expect(unfiltered.body.view.next).toBe(`${mappings}?itemsPerPage=1&page=2`);
  });

  it('shows a patched certificate at once, and not_covered for a hostname it no longer names', async () => {
    const certificate = await upload(['blog.example.com', 'www.blog.example.com']);
    await map('blog.example.com', certificate.id);
    await map('www.blog.example.com', certificate.id);

    const narrower = await pki.leaf({ names: ['blog.example.com'], notAfter: new Date(Date.now() + 40 * 86_400_000) });
    const patched = await api.request('PATCH', `${certificates}/${certificate.id}`, {
      body: { certificateData: narrower.certificatePem, privateKeyData: narrower.privateKeyPem, chainData: pki.intermediate.pem },
      headers: MERGE,
    });
    expect(patched.status).toBe(200);

    const list = await api.request('GET', `${mappings}?certificate=${certificate.id}`);
    const byHost = Object.fromEntries(list.body.member.map((m: { hostname: string }) => [m.hostname, m]));
    expect(byHost['blog.example.com']).toMatchObject({ sslStatus: 'covered', expiresAt: patched.body.expiresAt });
    expect(byHost['www.blog.example.com']).toMatchObject({ sslStatus: 'not_covered', expiresAt: patched.body.expiresAt });
    expect((await api.request('GET', `${mappings}/www.blog.example.com`)).body.sslStatus).toBe('not_covered');
  });

  it('follows wildcard rules: one label only', async () => {
    const wildcard = await upload(['*.wild.example.com']);
    expect((await map('a.wild.example.com', wildcard.id)).body.sslStatus).toBe('covered');
    const deeper = await map('a.b.wild.example.com', wildcard.id);
    expect(deeper.status).toBe(422);
    expect(deeper.body.violations).toEqual([{ propertyPath: 'certificate', message: expect.stringMatching(/does not cover a\.b\.wild\.example\.com/) }]);
    expect((await map('wild.example.com', wildcard.id)).status).toBe(422);
  });

  it('points a hostname at another certificate with a merge patch', async () => {
    const first = await upload(['move.example.com']);
    const second = await upload(['move.example.com', 'www.move.example.com']);
    await map('move.example.com', first.id);
    const moved = await api.request('PATCH', `${mappings}/move.example.com`, { body: { certificate: second['@id'] }, headers: MERGE });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ certificateId: second.id, sslStatus: 'covered' });
    expect(moved.headers.get('etag')).toBe('W/"2"');
    const stale = await api.request('PATCH', `${mappings}/move.example.com`, {
      body: { certificate: first.id },
      headers: { ...MERGE, 'if-match': 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    const asJson = await api.request('PATCH', `${mappings}/move.example.com`, { body: { certificate: first.id } });
    expect(asJson.status).toBe(415);
    const uncovered = await upload(['elsewhere.example.com']);
    const refused = await api.request('PATCH', `${mappings}/move.example.com`, { body: { certificate: uncovered.id }, headers: MERGE });
    expect(refused.status).toBe(422);
    expect((await api.request('GET', `${mappings}/move.example.com`)).body.certificateId).toBe(second.id);
  });

  it('refuses duplicates (409), unknown or foreign certificates and bad hostnames (422)', async () => {
    const certificate = await upload(['dup.example.com']);
    expect((await map('dup.example.com', certificate.id)).status).toBe(201);
    const duplicate = await map('DUP.example.com', certificate.id);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toMatch(/already mapped/);

    const unknown = await map('unknown.example.com', '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(422);
    expect(unknown.body.violations[0].propertyPath).toBe('certificate');
    const foreign = await map('dup2.example.com', `/api/organizations/999999/certificates/${certificate.id}`);
    expect(foreign.status).toBe(422);
    const badHost = await map('not a host', certificate.id);
    expect(badHost.status).toBe(422);
    expect(badHost.body.violations[0].propertyPath).toBe('hostname');
    const missing = await api.request('POST', mappings, { body: { hostname: 'x.example.com' } });
    expect(missing.status).toBe(422);
    expect(missing.body.violations).toEqual([{ propertyPath: 'certificate', message: 'certificate must be a certificate IRI or id.' }]);
  });

  it('deletes a mapping (204), and shows not_covered when its certificate is deleted', async () => {
    const certificate = await upload(['gone.example.com', 'www.gone.example.com']);
    await map('gone.example.com', certificate.id);
    await map('www.gone.example.com', certificate.id);
    expect((await api.request('DELETE', `${mappings}/www.gone.example.com`)).status).toBe(204);
    expect((await api.request('GET', `${mappings}/www.gone.example.com`)).status).toBe(404);
    expect((await api.request('DELETE', `${mappings}/www.gone.example.com`)).status).toBe(404);

    expect((await api.request('DELETE', `${certificates}/${certificate.id}`)).status).toBe(204);
    const orphan = await api.request('GET', `${mappings}/gone.example.com`);
    expect(orphan.body).toMatchObject({ sslStatus: 'not_covered', certificateStatus: null, expiresAt: null });
  });

  it("keeps organizations apart: another organization's mappings are 404 and not listed", async () => {
    const certificate = await upload(['private.example.com']);
    await map('private.example.com', certificate.id);
    const intruder = await createOrganizationWithToken(api.stack.deps);
    const own = `/api/organizations/${intruder.organization.id}/hostname-mappings`;
    expect((await api.request('GET', `${own}/private.example.com`, { token: intruder.token })).status).toBe(404);
    expect((await api.request('GET', own, { token: intruder.token })).body.totalItems).toBe(0);
    expect((await api.request('GET', `${mappings}/private.example.com`, { token: intruder.token })).status).toBe(404);
    // Nor can it map its own hostname to our certificate.
    const stolen = await api.request('POST', own, { token: intruder.token, body: { hostname: 'private.example.com', certificate: certificate.id } });
    expect(stolen.status).toBe(422);
  });
});
