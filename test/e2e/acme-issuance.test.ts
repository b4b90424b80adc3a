import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { expectIssuedBy, waitForAttempt } from './support.ts';

let api: TestApi;
let base: string;
let root: string;

beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true } });
  base = `/api/organizations/${api.organizationId}/certificates`;
  // Pebble makes a new root on every start; this is the one the issued chains must lead to.
  root = (await api.stack.acme.pebble?.management('/roots/0')) ?? '';
});
afterAll(() => api.stop());

describe('ACME issuance with DNS-01 through the workflow, against Pebble', () => {
  it('issues a certificate for a name and its wildcard: pending at once, then active with a chain to Pebble root', async () => {
    expect(api.stack.acme.pebble, 'Pebble must be installed for these tests (apt-get install -y pebble)').not.toBeNull();
    const created = await api.request('POST', base, {
      body: {
        type: 'auto_managed',
        domainName: 'dns.example.test',
        sans: ['*.dns.example.test'],
        challengeType: 'dns-01',
        dnsProvider: 'aws',
        keyType: 'ec',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      type: 'auto_managed',
      status: 'pending',
      domainName: 'dns.example.test',
      certificateData: null,
      attemptCount: 1,
      lastAttempt: { type: 'acme_issue', status: 'pending' },
    });
    expect(created.body.sans.map((san: { name: string }) => san.name)).toEqual(['dns.example.test', '*.dns.example.test']);

    const path = `${base}/${created.body.id}`;
    const done = await waitForAttempt(api, path);
    expect(done.lastAttempt).toMatchObject({ status: 'succeeded', type: 'acme_issue' });
    expect(done.lastAttempt.finishedAt).toMatch(/\+00:00$/);
    expect(done).toMatchObject({ status: 'active', keyType: 'ec', keySize: 256 });
    expect(done.sans.map((san: { dnsStatus: string; sslStatus: string }) => [san.dnsStatus, san.sslStatus])).toEqual([
      ['valid', 'covered'],
      ['valid', 'covered'],
    ]);

    const exported = await api.request('GET', `${path}?include=privateKeyData`);
    const leaf = expectIssuedBy(done, root, exported.body.privateKeyData);
    expect(leaf.subjectAltName).toContain('DNS:*.dns.example.test');
    expect(leaf.subjectAltName).toContain('DNS:dns.example.test');

    // Once the execution has ended, both TXT values are gone from the DNS and no challenge record is left in the table.
    await api.stack.acme.workflow?.idle();
    const pebble = api.stack.acme.pebble;
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver();
    resolver.setServers([pebble?.dnsServer ?? '']);
    await expect(resolver.resolveTxt('_acme-challenge.dns.example.test')).rejects.toThrow(/ENODATA|ENOTFOUND/);
    expect(await api.stack.deps.issuance.challengesOfAttempt(done.lastAttempt.id)).toEqual([]);
    expect(process.env[ENV.issuanceStateMachineArn]).toBe('local');
  });
});
