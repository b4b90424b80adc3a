import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { grantAccountZone } from '../../shared/use-cases/dns-zones.ts';
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

describe('ACME issuance through the workflow, against Pebble', () => {
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
        keySize: 'P-384',
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
    expect(done).toMatchObject({ status: 'active', keyType: 'ec', keySize: 384 });
    expect(done.sans.map((san: { dnsStatus: string; sslStatus: string }) => [san.dnsStatus, san.sslStatus])).toEqual([
      ['valid', 'covered'],
      ['valid', 'covered'],
    ]);
    // Each name's progress, as the steps recorded it: every stage reached, in order (DNS-01: propagated on the servers).
    expect(done.lastAttempt.progress.map((entry: { name: string }) => entry.name)).toEqual(['dns.example.test', '*.dns.example.test']);
    for (const entry of done.lastAttempt.progress) {
      const times = [entry.orderedAt, entry.challengePresentedAt, entry.propagatedAt, entry.validatedAt, entry.finalizedAt, entry.storedAt];
      expect(times.every((time) => typeof time === 'string'), JSON.stringify(entry)).toBe(true);
      expect([...times].sort()).toEqual(times);
    }

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

  it('follows a CNAME on _acme-challenge: the TXT record goes where the delegation points, and is cleaned up there', async () => {
    const pebble = api.stack.acme.pebble;
    const post = (path: string, body: unknown) =>
      fetch(`${pebble?.challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const target = '_acme-challenge.delegated-example-test.acme.example.net.';
    expect((await post('/set-cname', { host: '_acme-challenge.delegated.example.test.', target })).ok).toBe(true);
    // The delegation leaves the organization's zones (it holds example.test): refused before any order, naming the fix.
    const refused = await api.request('POST', base, {
      body: { type: 'auto_managed', domainName: 'delegated.example.test', challengeType: 'dns-01', keyType: 'ec' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.violations).toEqual([
      {
        propertyPath: 'domainName',
        message:
          '_acme-challenge.delegated.example.test is a CNAME to _acme-challenge.delegated-example-test.acme.example.net, which is not in any DNS zone of this organization: ' +
          'replace it with the DNS record "_acme-challenge.delegated.example.test. CNAME _acme-challenge.delegated.example.test.example.test."',
      },
    ]);
    // Once the target's zone is the organization's too, the record goes there.
    await grantAccountZone(api.stack.deps, api.organizationId, { zoneName: 'acme.example.net' });
    // What the delegation target holds when the CA is told: our value, written there and not on the CNAME's name.
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver();
    resolver.setServers([pebble?.dnsServer ?? '']);
    let atTarget: string[][] = [];
    api.stack.acme.workflow?.beforeTask('CompleteChallenges', async () => {
      atTarget = await resolver.resolveTxt(target.slice(0, -1));
    });
    const created = await api.request('POST', base, {
      body: { type: 'auto_managed', domainName: 'delegated.example.test', challengeType: 'dns-01', keyType: 'ec' },
    });
    const done = await waitForAttempt(api, `${base}/${created.body.id}`);
    api.stack.acme.workflow?.beforeTask('CompleteChallenges', null);
    expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
    expect(done.status).toBe('active');
    expect(atTarget).toHaveLength(1);
    await api.stack.acme.workflow?.idle();
    await expect(resolver.resolveTxt(target.slice(0, -1))).rejects.toThrow(/ENODATA|ENOTFOUND/);
    expect(await api.stack.deps.issuance.challengesOfAttempt(done.lastAttempt.id)).toEqual([]);
    await post('/clear-cname', { host: '_acme-challenge.delegated.example.test.' });
    await api.stack.deps.dnsZones.delete(api.organizationId, 'acme.example.net');
  });

  it('finishes an attempt whose finalize step is retried after its first try reached the CA', async () => {
    const { handler: finalize } = await import('../../functions/workflow/finalize.ts');
    // The first try goes through but its answer is "lost": the workflow runs the step again on the finalized order.
    api.stack.acme.workflow?.beforeTask('Finalize', async (payload) => {
      await finalize(payload as never);
    });
    try {
      const created = await api.request('POST', base, {
        body: { type: 'auto_managed', domainName: 'retried.example.test', challengeType: 'dns-01', keyType: 'ec' },
      });
      const done = await waitForAttempt(api, `${base}/${created.body.id}`);
      expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
      expect(done.status).toBe('active');
      const exported = await api.request('GET', `${base}/${created.body.id}?include=privateKeyData`);
      expectIssuedBy(done, root, exported.body.privateKeyData);
    } finally {
      api.stack.acme.workflow?.beforeTask('Finalize', null);
    }
  });

  it('asks the CA for a fresh nonce once per issuance: each step hands the CA its last nonce to the next one', async () => {
    const { axios } = await import('acme-client');
    const asked: string[] = [];
    const counter = axios.interceptors.request.use((config) => {
      asked.push(`${config.method?.toUpperCase()} ${new URL(config.url ?? '').pathname}`);
      return config;
    });
    try {
      const created = await api.request('POST', base, {
        body: { type: 'auto_managed', domainName: 'nonce.example.test', challengeType: 'dns-01', keyType: 'ec' },
      });
      const done = await waitForAttempt(api, `${base}/${created.body.id}`);
      expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
      await api.stack.acme.workflow?.idle();
    } finally {
      axios.interceptors.request.eject(counter);
    }
    // Only the new order has no nonce to start with; every other signed request uses the one the last answer brought.
    expect(asked.filter((request) => request.startsWith('HEAD'))).toHaveLength(1);
    expect(asked.filter((request) => request.startsWith('POST')).length).toBeGreaterThanOrEqual(7);
  });

  it('reads the account key from the secret store in every step: with the key gone after the order, the attempt fails saying so', async () => {
    const directoryUrl = api.stack.acme.pebble?.directoryUrl ?? '';
    const account = await api.stack.deps.issuance.getAccount({ organizationId: api.organizationId, directoryUrl });
    expect(account).not.toBeNull();
    const keySecretName = account?.keySecretName ?? '';
    const accountKey = await api.stack.deps.secrets.get(keySecretName);
    api.stack.acme.workflow?.beforeTask('PresentChallenges', () => api.stack.deps.secrets.delete(keySecretName));
    try {
      const created = await api.request('POST', base, {
        body: { type: 'auto_managed', domainName: 'keyless.example.test', challengeType: 'dns-01', keyType: 'ec' },
      });
      const done = await waitForAttempt(api, `${base}/${created.body.id}`);
      expect(done.lastAttempt).toMatchObject({ status: 'failed', error: 'The ACME account key is missing from the secret store' });
    } finally {
      api.stack.acme.workflow?.beforeTask('PresentChallenges', null);
      await api.stack.deps.secrets.put(keySecretName, accountKey ?? '');
    }
  });

  it('issues with HTTP-01 and an RSA key: Pebble fetches the key authorization from the API itself', async () => {
    const created = await api.request('POST', base, {
      body: {
        type: 'auto_managed',
        domainName: 'web.example.test',
        sans: [{ name: 'www.web.example.test' }],
        challengeType: 'http-01',
        keyType: 'rsa',
      },
    });
    expect(created.status).toBe(201);
    const path = `${base}/${created.body.id}`;
    const done = await waitForAttempt(api, path);
    expect(done.lastAttempt).toMatchObject({ status: 'succeeded' });
    expect(done).toMatchObject({ status: 'active', keyType: 'rsa', keySize: 2048, autoRenew: true });
    const exported = await api.request('GET', `${path}?include=privateKeyData`);
    const leaf = expectIssuedBy(done, root, exported.body.privateKeyData);
    expect(leaf.subjectAltName).toContain('DNS:www.web.example.test');

    await api.stack.acme.workflow?.idle();
    expect(await api.stack.deps.issuance.challengesOfAttempt(done.lastAttempt.id)).toEqual([]);
    const unknown = await api.request('GET', '/.well-known/acme-challenge/no-such-token', { token: null });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('Not Found\n');
  });

  it('fails the attempt with the CA reason when the CA sees a wrong TXT value, and leaves no challenge record behind', async () => {
    const workflow = api.stack.acme.workflow;
    const pebble = api.stack.acme.pebble;
    const host = '_acme-challenge.fail.example.test.';
    // After the propagation check and before the CA is told, the record's value is replaced by a wrong one.
    workflow?.beforeTask('CompleteChallenges', async () => {
      const post = (path: string, body: unknown) =>
        fetch(`${pebble?.challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
      await post('/clear-txt', { host });
      await post('/set-txt', { host, value: 'not-the-key-authorization' });
    });
    try {
      const created = await api.request('POST', base, {
        body: { type: 'auto_managed', domainName: 'fail.example.test', challengeType: 'dns-01', keyType: 'ec' },
      });
      expect(created.status).toBe(201);
      const done = await waitForAttempt(api, `${base}/${created.body.id}`);
      expect(done.status).toBe('failed');
      expect(done.lastAttempt).toMatchObject({ type: 'acme_issue', status: 'failed' });
      expect(done.lastAttempt.error).toMatch(/^DNS-01 challenge failed for fail\.example\.test: .*Correct value not found/);
      expect(done.sans[0]).toMatchObject({ name: 'fail.example.test', dnsStatus: 'invalid', sslStatus: 'pending' });
      expect(done.certificateData).toBeNull();

      await workflow?.idle();
      expect(await api.stack.deps.issuance.challengesOfAttempt(done.lastAttempt.id)).toEqual([]);
      const exported = await api.request('GET', `${base}/${created.body.id}?include=privateKeyData`);
      expect(exported.body.privateKeyData).toBeNull();
    } finally {
      workflow?.beforeTask('CompleteChallenges', null);
    }
  });

  it('refuses what cannot be issued with a clear 4xx, storing nothing', async () => {
    const before = (await api.request('GET', `${base}?itemsPerPage=0`)).body.totalItems;
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ domainName: '*.wild.example.test', challengeType: 'http-01' }, 422, /wildcards can only be validated with dns-01/],
      [
        { domainName: 'a.example.test', challengeType: 'dns-01', dnsProvider: 'powerdns' },
        400,
        /DNS provider powerdns is not supported; use one of aws/,
      ],
      [{ domainName: 'a.example.test', keyType: 'rsa', keySize: 1024 }, 422, /2048 or 4096/],
      [{ domainName: 'a.example.test', keyType: 'ec', keySize: 'P-521' }, 422, /P-256 or P-384/],
      [{ domainName: 'not a name' }, 422, /not a valid DNS name/],
      [{ domainName: 'a.example.test', profile: 'shortlived' }, 400, /does not offer profiles/],
      [{ domainName: 'a.example.test', directory: 'http://ca.example.test/dir' }, 422, /must use https/],
    ];
    for (const [body, status, detail] of cases) {
      const reply = await api.request('POST', base, { body: { type: 'auto_managed', ...body } });
      expect(reply.status, JSON.stringify(body)).toBe(status);
      expect(reply.body.detail).toMatch(detail);
    }
    expect((await api.request('GET', `${base}?itemsPerPage=0`)).body.totalItems).toBe(before);
  });

  it('obtains a project certificate through the projects dialect, one attempt at a time, and follows it on /status', async () => {
    const project = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, {
      body: { name: 'shop', domain: 'shop.example.test' },
    });
    expect(project.status).toBe(201);
    const projectPath = `/api/v1/projects/${project.body.id}/certificate`;

    const dryRun = await api.request('POST', `${projectPath}/obtain`, {
      body: { email: 'admin@example.test', challengeType: 'dns-01', dnsProvider: 'aws', keyType: 'ec', dryRun: true },
    });
    expect(dryRun.status).toBe(200);
    expect(dryRun.body).toMatchObject({ success: true, dryRun: true, domain: 'shop.example.test' });
    expect((await api.request('GET', projectPath)).body).toBeNull();

    // The workflow is held before its first step, so the attempt is certainly still under way for the second request.
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.stack.acme.workflow?.beforeTask('CreateOrder', () => gate);
    let obtain;
    try {
      obtain = await api.request('POST', `${projectPath}/obtain`, {
        body: { email: 'admin@example.test', challengeType: 'http-01', keyType: 'ec', keySize: 'P-256', autoRenew: true },
      });
      expect(obtain.status).toBe(202);
      expect(obtain.body).toMatchObject({
        success: true,
        certificate: { domain: 'shop.example.test', type: 'letsencrypt', issuedAt: null, autoRenew: true },
        attempt: { type: 'acme_issue', status: 'pending', statusUrl: `${projectPath}/status` },
      });
      const again = await api.request('POST', `${projectPath}/obtain`, { body: { challengeType: 'http-01', keyType: 'ec' } });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ success: false, error: expect.stringMatching(/already under way/) });
    } finally {
      api.stack.acme.workflow?.beforeTask('CreateOrder', null);
      release();
    }

    const done = await waitForAttempt(api, `${base}/${obtain.body.certificate.id}`);
    expect(done).toMatchObject({ status: 'active', domainName: 'shop.example.test' });
    await api.stack.acme.workflow?.idle();
    const status = await api.request('GET', `${projectPath}/status`);
    expect(status.body).toMatchObject({ status: 'valid', domain: 'shop.example.test', autoRenew: true });
    const current = await api.request('GET', projectPath);
    expect(current.body).toMatchObject({ domain: 'shop.example.test', type: 'letsencrypt', issuer: expect.stringMatching(/Pebble/) });

    const noDomain = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, { body: { name: 'bare' } });
    const refused = await api.request('POST', `/api/v1/projects/${noDomain.body.id}/certificate/obtain`, {
      body: { challengeType: 'http-01' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ success: false, error: 'Project has no domain configured' });
    const provider = await api.request('POST', `${projectPath}/obtain`, {
      body: { challengeType: 'dns-01', dnsProvider: 'powerdns', dnsCredentials: { apiToken: 'secret-token-x' } },
    });
    expect(provider.status).toBe(400);
    expect(provider.body.error).toMatch(/DNS provider powerdns is not supported/);
    expect(provider.text).not.toContain('secret-token-x');
  });
});
