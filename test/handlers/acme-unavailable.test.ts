import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../support/certificates.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';

let api: TestApi;

beforeAll(async () => {
  // A machine without the Debian package: neither pebble nor pebble-challtestsrv is on the PATH.
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    api = await startTestApi({ acme: { pebble: true } });
  } finally {
    process.env.PATH = path;
  }
});
afterAll(() => api.stop());

describe('the local stack without Pebble', () => {
  it('answers an ACME request with what to install, stores nothing, and still takes uploads', async () => {
    const base = `/api/organizations/${api.organizationId}/certificates`;
    expect(api.stack.acme.pebble).toBeNull();
    const refused = await api.request('POST', base, { body: { type: 'auto_managed', domainName: 'example.test' } });
    expect(refused.status).toBe(412);
    expect(refused.body.detail).toMatch(/Pebble and pebble-challtestsrv: install the Debian package with `sudo apt-get install -y pebble`/);
    expect((await api.request('GET', `${base}?itemsPerPage=0`)).body.totalItems).toBe(0);

    const pki = await createPki();
    const leaf = await pki.leaf({ names: ['upload.example.test'] });
    const uploaded = await api.request('POST', base, {
      body: { type: 'custom', certificateData: leaf.certificatePem, privateKeyData: leaf.privateKeyPem, chainData: pki.intermediate.pem },
    });
    expect(uploaded.status).toBe(201);
  });
});
