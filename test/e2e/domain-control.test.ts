import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { waitForAttempt } from './support.ts';

/**
 * Domain control on the local stack, against Pebble: an organization certifies with DNS-01 only the names under its
 * zones or delegated into one, every dialect refuses the rest with 422 before the CA sees an order, and a customer's
 * domain is onboarded by an `_acme-challenge` CNAME served by challtestsrv.
 */

let api: TestApi;
/** Organization B, created through the operator's API, with the owner token the operator issued. */
let b: { organizationId: number; token: string };
/** Every request the issuance workflow sent to Pebble's newOrder URL (the workflow runs in this process). */
let newOrders: string[] = [];
let stopCounting: () => void = () => undefined;
let newOrderUrl = '';

const challtestsrv = (path: string, body: unknown) =>
  fetch(`${api.stack.acme.pebble?.challengeServerUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });

const operator = (method: string, path: string, body?: unknown) => api.request(method, `/api/operator${path}`, { token: api.operatorToken, body });

beforeAll(async () => {
  api = await startTestApi({ acme: { pebble: true } });
  const { axios } = await import('acme-client');
  // The CA's newOrder URL, from the directory the workflow reads; then every request sent to it.
  const directory = axios.interceptors.response.use((response) => {
    const newOrder = (response.data as { newOrder?: unknown } | null)?.newOrder;
    if (typeof newOrder === 'string') newOrderUrl = newOrder;
    return response;
  });
  const interceptor = axios.interceptors.request.use((config) => {
    if (newOrderUrl && config.url === newOrderUrl) newOrders.push(config.url);
    return config;
  });
  stopCounting = () => {
    axios.interceptors.request.eject(interceptor);
    axios.interceptors.response.eject(directory);
  };

  const created = await operator('POST', '/organizations', { name: 'Customer B' });
  expect(created.status).toBe(201);
  const token = await operator('POST', `/organizations/${created.body.id}/api-tokens`, { role: 'owner' });
  expect(token.status).toBe(201);
  b = { organizationId: created.body.id, token: token.body.token };
}, 120_000);

afterAll(async () => {
  stopCounting();
  await api?.stop();
});

afterEach(async () => {
  await api.stack.acme.workflow?.idle();
});

/** waitForAttempt, as organization B (its certificates are not A's to see). */
const asB = (): TestApi => ({ ...api, request: (method, path, options = {}) => api.request(method, path, { token: b.token, ...options }) });

const platform = (organizationId: number, token: string, body: unknown) =>
  api.request('POST', `/api/organizations/${organizationId}/certificates`, { token, body: { type: 'auto_managed', keyType: 'ec', ...(body as object) } });

describe('domain control before any order', () => {
  it('refuses organization B a name under organization A’s zone in every dialect, with the reason, and Pebble gets no order', async () => {
    newOrders = [];
    const dns = await platform(b.organizationId, b.token, { domainName: 'shop.example.test', challengeType: 'dns-01' });
    expect(dns.status).toBe(422);
    expect(dns.body.violations).toEqual([
      {
        propertyPath: 'domainName',
        message:
          'shop.example.test is not under any DNS zone of this organization: this organization has no DNS zone yet: ' +
          `register one (POST /api/organizations/${b.organizationId}/dns-zones) or ask the operator to grant one`,
      },
    ]);
    // A wildcard is never defaulted to HTTP-01: without a zone it cannot be had.
    const wildcard = await platform(b.organizationId, b.token, { domainName: '*.shop.example.test' });
    expect(wildcard.status).toBe(422);
    expect(wildcard.body.violations[0].message).toMatch(/^\*\.shop\.example\.test is a wildcard, which only dns-01 can validate, and dns-01 needs a zone: /);

    // The projects dialect: same rule, its own error style.
    const project = await api.request('POST', `/api/organizations/${b.organizationId}/projects`, {
      token: b.token,
      body: { name: 'shop', domain: 'shop.example.test' },
    });
    expect(project.status).toBe(201);
    const obtain = await api.request('POST', `/api/v1/projects/${project.body.id}/certificate/obtain`, {
      token: b.token,
      body: { challengeType: 'dns-01', keyType: 'ec' },
    });
    expect(obtain.status).toBe(422);
    expect(obtain.body).toEqual({ success: false, error: expect.stringContaining('shop.example.test is not under any DNS zone of this organization') });
    // Inline credentials never reach A's account zone: empty ones are none at all (the zone check stands), and given
    // ones make a zone of B's own on the named provider, written only with them, so the provider must accept them first.
    const empty = await api.request('POST', `/api/v1/projects/${project.body.id}/certificate/obtain`, {
      token: b.token,
      body: { challengeType: 'dns-01', keyType: 'ec', dnsProvider: 'aws', dnsCredentials: {} },
    });
    expect(empty.status).toBe(422);
    expect(empty.body.error).toContain('shop.example.test is not under any DNS zone of this organization');
    const unchecked = await api.request('POST', `/api/v1/projects/${project.body.id}/certificate/obtain`, {
      token: b.token,
      body: { challengeType: 'dns-01', keyType: 'ec', dnsProvider: 'rfc2136', providerOptions: { server: '127.0.0.1:9' }, dnsCredentials: { keyName: 'k', algorithm: 'hmac-sha256', secret: 'c2VjcmV0LW9mLWI=' } },
    });
    expect(unchecked.status).toBeGreaterThanOrEqual(400);
    expect(unchecked.status).toBeLessThan(500);
    expect(unchecked.text).not.toContain('c2VjcmV0LW9mLWI=');
    expect((await api.request('GET', `/api/v1/projects/${project.body.id}/certificate`, { token: b.token })).body).toBeNull();

    // Nor can B make A's zone its own: an account zone is the operator's to grant.
    const claim = await api.request('POST', `/api/organizations/${b.organizationId}/dns-zones`, {
      token: b.token,
      body: { zoneName: 'example.test', provider: 'aws' },
    });
    expect(claim.status).toBe(403);
    expect(claim.body.detail).toMatch(/granted by the operator only/);
    const grant = await api.request('POST', `/api/operator/organizations/${b.organizationId}/dns-zones`, {
      token: b.token,
      body: { zoneName: 'example.test' },
    });
    expect(grant.status).toBe(403);

    expect(newOrders).toEqual([]);
    const listed = await api.request('GET', `/api/organizations/${b.organizationId}/certificates`, { token: b.token });
    expect(listed.body.totalItems).toBe(0);
  });

  it('issues a wildcard under a granted zone with dns-01 when no challenge type is given', async () => {
    newOrders = [];
    const created = await platform(api.organizationId, api.token, { domainName: '*.wild.example.test', sans: ['wild.example.test'] });
    expect(created.status).toBe(201);
    expect((await api.stack.deps.issuance.getSettings(created.body.id))?.challengeType).toBe('dns-01');
    const done = await waitForAttempt(api, `/api/organizations/${api.organizationId}/certificates/${created.body.id}`);
    expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
    expect(done.issuer).toMatch(/Pebble/);
    expect(newOrders).toHaveLength(1);
  });

  it('onboards a customer domain by CNAME delegation: the missing and the wrong CNAME are refused naming the record, the right one is issued', async () => {
    newOrders = [];
    const record = '"_acme-challenge.customer.test. CNAME _acme-challenge.customer.test.example.test."';
    const missing = await platform(api.organizationId, api.token, { domainName: 'customer.test', challengeType: 'dns-01' });
    expect(missing.status).toBe(422);
    expect(missing.body.violations).toEqual([
      { propertyPath: 'domainName', message: `customer.test is not under any DNS zone of this organization: create the DNS record ${record} to delegate its challenges` },
    ]);

    expect((await challtestsrv('/set-cname', { host: '_acme-challenge.customer.test.', target: '_acme-challenge.customer.test.elsewhere.test.' })).ok).toBe(true);
    const wrong = await platform(api.organizationId, api.token, { domainName: 'customer.test', challengeType: 'dns-01' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.violations[0].message).toBe(
      `_acme-challenge.customer.test is a CNAME to _acme-challenge.customer.test.elsewhere.test, which is not in any DNS zone of this organization: replace it with the DNS record ${record}`,
    );
    expect(newOrders).toEqual([]);

    expect((await challtestsrv('/set-cname', { host: '_acme-challenge.customer.test.', target: '_acme-challenge.customer.test.example.test.' })).ok).toBe(true);
    try {
      // Delegated: dns-01 is the default, and the TXT value goes to the CNAME's target in the organization's zone.
      const created = await platform(api.organizationId, api.token, { domainName: 'customer.test' });
      expect(created.status).toBe(201);
      const done = await waitForAttempt(api, `/api/organizations/${api.organizationId}/certificates/${created.body.id}`);
      expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded', type: 'acme_issue' });
      expect(done).toMatchObject({ status: 'active', domainName: 'customer.test', issuer: expect.stringMatching(/Pebble/) });
      expect(newOrders).toHaveLength(1);
    } finally {
      await challtestsrv('/clear-cname', { host: '_acme-challenge.customer.test.' });
    }
  });
});

describe('zones granted and withdrawn by the operator', () => {
  it('lets B certify under a zone the operator granted, until the operator withdraws it; B itself cannot withdraw it', async () => {
    const granted = await operator('POST', `/organizations/${b.organizationId}/dns-zones`, { zoneName: 'b-shop.test' });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ zoneName: 'b-shop.test', provider: 'aws', grantedBy: 'operator', hasCredentials: false });
    const zones = await api.request('GET', `/api/organizations/${b.organizationId}/dns-zones`, { token: b.token });
    expect(zones.body.member.map((zone: { zoneName: string }) => zone.zoneName)).toEqual(['b-shop.test']);

    const created = await platform(b.organizationId, b.token, { domainName: 'www.b-shop.test' });
    expect(created.status).toBe(201);
    const done = await waitForAttempt(asB(), `/api/organizations/${b.organizationId}/certificates/${created.body.id}`);
    expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });

    const byOwner = await api.request('DELETE', `/api/organizations/${b.organizationId}/dns-zones/b-shop.test`, { token: b.token });
    expect(byOwner.status).toBe(403);
    expect((await operator('DELETE', `/organizations/${b.organizationId}/dns-zones/b-shop.test`)).status).toBe(204);

    newOrders = [];
    const after = await platform(b.organizationId, b.token, { domainName: 'api.b-shop.test', challengeType: 'dns-01' });
    expect(after.status).toBe(422);
    // A renewal of the certificate issued under the withdrawn zone stops before its order, saying why.
    const renewal = await api.request('POST', `/api/organizations/${b.organizationId}/certificates/${created.body.id}/renew`, { token: b.token });
    expect(renewal.status).toBe(202);
    const renewed = await waitForAttempt(asB(), `/api/organizations/${b.organizationId}/certificates/${created.body.id}`);
    expect(renewed.lastAttempt).toMatchObject({ type: 'acme_renew', status: 'failed' });
    expect(renewed.lastAttempt.error).toMatch(/The DNS zone b-shop\.test is no longer this organization's/);
    expect(newOrders).toEqual([]);

    // Every operator action is in the operator's audit log and in the organization's.
    const operatorLog = await operator('GET', '/audit-events?limit=20');
    const actions = operatorLog.body.member.map((event: { action: string }) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'POST /api/operator/organizations',
        'POST /api/operator/organizations/{orgId}/api-tokens',
        'POST /api/operator/organizations/{orgId}/dns-zones',
        'DELETE /api/operator/organizations/{orgId}/dns-zones/{zoneName}',
      ]),
    );
    const organizationLog = await api.request('GET', `/api/organizations/${b.organizationId}/audit-events?limit=50`, { token: b.token });
    expect(organizationLog.body.member.map((event: { action: string }) => event.action)).toEqual(
      expect.arrayContaining(['POST /api/operator/organizations/{orgId}/dns-zones', 'DELETE /api/operator/organizations/{orgId}/dns-zones/{zoneName}']),
    );
  });
});
