import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { startCloudflareFake } from '../support/cloudflare-fake.ts';
import type { CloudflareFake } from '../support/cloudflare-fake.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { tableKeys } from '../support/stored-state.ts';

/** DNS zones of the platform dialect, their credentials, and the operator above the organizations. */

let api: TestApi;
let cloudflare: CloudflareFake;
const SECRET = 'zone-credential-value-9f8e7d';
const REVOKED = 'zone-credential-revoked-1a2b3c';
const output: string[] = [];

beforeAll(async () => {
  // Everything the functions log while these tests run, to show the credentials never reach a log line.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(args.map(String).join(' '));
      original(...args);
    });
  }
  // Cloudflare's API as its reference describes it, serving example.com to the token SECRET only.
  cloudflare = await startCloudflareFake({ goodToken: SECRET });
  process.env[ENV.dnsApiEndpoints] = `cloudflare=${cloudflare.url}`;
  api = await startTestApi();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await api?.stop();
  await cloudflare?.stop();
  delete process.env[ENV.dnsApiEndpoints];
});

const zones = (organizationId = api.organizationId) => `/api/organizations/${organizationId}/dns-zones`;

/** Every stored secret's name and value, read from the local file store. */
async function storedSecrets(): Promise<{ file: string; text: string }[]> {
  const directory = process.env[ENV.secretDir] ?? '';
  const files = (await readdir(directory)).filter((name) => name.endsWith('.secret'));
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(directory, file), 'utf8') })));
}

describe('DNS zones of an organization', () => {
  it('lists the zone the local stack grants the bootstrap organization, and no other', async () => {
    const listed = await api.request('GET', zones());
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ '@type': 'Collection', totalItems: 1 });
    expect(listed.body.member).toEqual([
      expect.objectContaining({
        '@id': `${zones()}/example.test`,
        zoneName: 'example.test',
        provider: 'aws',
        providerOptions: {},
        hasCredentials: false,
        grantedBy: 'operator',
      }),
    ]);
  });

  it('registers a zone with the organization’s own credentials, which go to the secret store only and never come back', async () => {
    const asked = cloudflare.requests.length;
    const created = await api.request('POST', zones(), {
      body: { zoneName: 'Example.COM.', provider: 'cloudflare', providerOptions: { zoneId: 'zone-1' }, credentials: { apiToken: SECRET } },
    });
    expect(created.status, created.text).toBe(201);
    // The provider was asked with the credentials before they were stored (its harmless read of the zone).
    expect(cloudflare.requests.length).toBeGreaterThan(asked);
    expect(created.headers.get('location')).toBe(`${zones()}/example.com`);
    expect(created.body).toMatchObject({ zoneName: 'example.com', provider: 'cloudflare', providerOptions: { zoneId: 'zone-1' }, hasCredentials: true, grantedBy: 'organization' });
    const read = await api.request('GET', `${zones()}/example.com`);
    const list = await api.request('GET', zones());
    for (const reply of [created, read, list]) {
      expect(reply.text).not.toContain(SECRET);
      expect(reply.text).not.toContain('dns-credentials');
    }
    // In the secret store, under its own kind; the table item names the secret, not its value.
    const secrets = (await storedSecrets()).filter((secret) => secret.text.includes(SECRET));
    expect(secrets).toHaveLength(1);
    const stored = await api.stack.deps.dnsZones.get(api.organizationId, 'example.com');
    expect(stored?.credentialsSecretName).toMatch(new RegExp(`^certwright/dns-credentials/${api.organizationId}/`));
    expect(JSON.stringify(stored)).not.toContain(SECRET);

    // The same zone twice is a conflict, and leaves no second secret behind.
    const again = await api.request('POST', zones(), { body: { zoneName: 'example.com', provider: 'cloudflare', credentials: { apiToken: SECRET } } });
    expect(again.status).toBe(409);
    expect((await storedSecrets()).filter((secret) => secret.text.includes(SECRET))).toHaveLength(1);

    // Removed with its credentials.
    expect((await api.request('DELETE', `${zones()}/example.com`)).status).toBe(204);
    expect((await api.request('GET', `${zones()}/example.com`)).status).toBe(404);
    expect((await storedSecrets()).filter((secret) => secret.text.includes(SECRET))).toHaveLength(0);
    expect(output.join('')).not.toContain(SECRET);
  });

  it('refuses credentials the provider refuses, and a zone the provider does not serve, with a 4xx naming the provider and storing nothing', async () => {
    const before = await tableKeys();
    const secretsBefore = (await storedSecrets()).length;
    const refused = await api.request('POST', zones(), { body: { zoneName: 'example.com', provider: 'cloudflare', credentials: { apiToken: REVOKED } } });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.detail).toMatch(/Cloudflare refused the DNS credentials/);
    expect(refused.text).not.toContain(REVOKED);
    // The token is good, but Cloudflare serves no zone of that name to it.
    const unknown = await api.request('POST', zones(), { body: { zoneName: 'elsewhere.example', provider: 'cloudflare', credentials: { apiToken: SECRET } } });
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.detail).toMatch(/DNS setup check failed for _acme-challenge\.elsewhere\.example/);
    expect(unknown.text).not.toContain(SECRET);
    expect(await tableKeys()).toEqual(before);
    expect((await storedSecrets()).length).toBe(secretsBefore);
    expect(output.join('')).not.toContain(REVOKED);
  });

  it('refuses what is not a zone, an unknown provider, and a provider without its credentials, storing nothing', async () => {
    const before = await tableKeys();
    const cases: [unknown, number, RegExp][] = [
      [{ zoneName: '*.example.com', provider: 'aws', credentials: { a: 'b' } }, 422, /zoneName: "\*\.example\.com" is not a DNS zone name/],
      [{ zoneName: 'example.com', provider: 'bind-on-a-napkin', credentials: { a: 'b' } }, 422, /provider: provider must be one of aws/],
      [{ zoneName: 'example.com', provider: 'aws', providerOptions: { hostedZoneId: 'not-a-zone' }, credentials: { a: 'b' } }, 422, /is not a Route 53 hosted zone id/],
      [{ zoneName: 'example.com', credentials: 'a string' }, 422, /credentials must be an object/],
    ];
    for (const [body, status, detail] of cases) {
      const reply = await api.request('POST', zones(), { body });
      expect(reply.status, JSON.stringify(body)).toBe(status);
      expect(reply.body.detail).toMatch(detail);
    }
    expect(await tableKeys()).toEqual(before);
  });

  it('gives an organization owner 403 for a zone of the deployment’s own DNS, and for the operator’s routes', async () => {
    const owner = await api.request('POST', zones(), { body: { zoneName: 'mine.example', provider: 'aws' } });
    expect(owner.status).toBe(403);
    expect(owner.body.detail).toMatch(/granted by the operator only/);
    expect((await api.request('POST', `/api/operator/organizations/${api.organizationId}/dns-zones`, { body: { zoneName: 'mine.example' } })).status).toBe(403);
    // The operator's own grant of an already granted zone is a conflict, not a second zone.
    const twice = await api.request('POST', `/api/operator/organizations/${api.organizationId}/dns-zones`, {
      token: api.operatorToken,
      body: { zoneName: 'example.test' },
    });
    expect(twice.status).toBe(409);
  });
});

describe('the operator', () => {
  it('creates and lists organizations and issues an admin token; suspending one stops its credentials until reinstated', async () => {
    const created = await api.request('POST', '/api/operator/organizations', { token: api.operatorToken, body: { name: 'Suspendable' } });
    expect(created.status).toBe(201);
    const id: number = created.body.id;
    const listed = await api.request('GET', '/api/operator/organizations?itemsPerPage=100', { token: api.operatorToken });
    expect(listed.body.member).toEqual(expect.arrayContaining([expect.objectContaining({ id, name: 'Suspendable', suspended: false })]));
    const issued = await api.request('POST', `/api/operator/organizations/${id}/api-tokens`, { token: api.operatorToken, body: { role: 'admin' } });
    expect(issued.status).toBe(201);
    expect(issued.body.scopes).not.toContain('admin');
    const token: string = issued.body.token;
    const certificates = `/api/organizations/${id}/certificates`;
    expect((await api.request('GET', certificates, { token })).status).toBe(200);
    // The operator's token is no organization's: it reads no certificates.
    expect((await api.request('GET', certificates, { token: api.operatorToken })).status).toBe(404);

    expect((await api.request('POST', `/api/operator/organizations/${id}/suspend`, { token: api.operatorToken })).body.suspended).toBe(true);
    const refused = await api.request('GET', certificates, { token });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/suspended/);
    expect((await api.request('POST', `/api/operator/organizations/${id}/reinstate`, { token: api.operatorToken })).body.suspended).toBe(false);
    expect((await api.request('GET', certificates, { token })).status).toBe(200);
  });
});
