import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { expectIssuedBy, waitForAttempt } from './support.ts';

let api: TestApi;

// Pebble rejects 30 % of nonces with badNonce: acme-client retries those itself, and a step that still fails is
// retried by the workflow (AcmeBadNonceError is in every task's Retry).
beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true, nonceRejectPercent: 30 } });
});
afterAll(() => api.stop());

describe('ACME issuance while the CA rejects nonces', () => {
  it('still issues every certificate, DNS-01 and HTTP-01 alike', async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const base = `/api/organizations/${api.organizationId}/certificates`;
    const requests = [
      { domainName: 'n1.example.test', sans: ['*.n1.example.test'], challengeType: 'dns-01', keyType: 'ec' },
      { domainName: 'n2.example.test', challengeType: 'http-01', keyType: 'ec' },
      { domainName: 'n3.example.test', challengeType: 'dns-01', keyType: 'ec' },
      { domainName: 'n4.example.test', challengeType: 'http-01', keyType: 'ec' },
    ];
    const created = await Promise.all(requests.map((body) => api.request('POST', base, { body: { type: 'auto_managed', ...body } })));
    expect(created.map((reply) => reply.status)).toEqual([201, 201, 201, 201]);
    const root = (await api.stack.acme.pebble?.management('/roots/0')) ?? '';
    for (const reply of created) {
      const path = `${base}/${reply.body.id}`;
      const done = await waitForAttempt(api, path);
      expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
      expect(done.status).toBe('active');
      expectIssuedBy(done, root, (await api.request('GET', `${path}?include=privateKeyData`)).body.privateKeyData);
    }
  });
});
