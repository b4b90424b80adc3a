import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { waitForAttempt } from './support.ts';

const kid = 'certwright-test-kid';
const hmacKey = randomBytes(32).toString('base64url');
let api: TestApi;

// A CA that requires External Account Binding, as ZeroSSL and Google Trust Services do.
beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true, externalAccountMacKeys: { [kid]: hmacKey } } });
});
afterAll(() => api.stop());

describe('ACME accounts at a CA that requires External Account Binding', () => {
  it('fails without a binding, saying so; registers with one, and never shows the HMAC key', async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const base = `/api/organizations/${api.organizationId}/certificates`;
    const without = await api.request('POST', base, { body: { type: 'auto_managed', domainName: 'eab1.example.test', keyType: 'ec' } });
    expect(without.status).toBe(201);
    const failed = await waitForAttempt(api, `${base}/${without.body.id}`);
    expect(failed.lastAttempt).toMatchObject({ status: 'failed', error: expect.stringMatching(/requires External Account Binding/) });

    const withBinding = await api.request('POST', base, {
      body: {
        type: 'auto_managed',
        domainName: 'eab2.example.test',
        keyType: 'ec',
        email: 'ops@example.test',
        externalAccountBinding: { kid, hmacKey },
      },
    });
    expect(withBinding.status).toBe(201);
    expect(withBinding.text).not.toContain(hmacKey);
    const done = await waitForAttempt(api, `${base}/${withBinding.body.id}`);
    expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
    expect(done.status).toBe('active');
    const listed = await api.request('GET', base);
    expect(listed.text).not.toContain(hmacKey);
  });
});
