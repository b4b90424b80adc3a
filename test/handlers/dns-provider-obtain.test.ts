import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { dnsCredentialsSecretName } from '../../shared/use-cases/acme/project-zone.ts';
import { startTestApi } from '../support/local-api.ts';
import type { TestApi } from '../support/local-api.ts';
import { waitForAttempt } from '../e2e/support.ts';
import { startBind } from '../support/bind.ts';
import type { BindServer } from '../support/bind.ts';
import { startCloudflareFake } from '../support/cloudflare-fake.ts';
import { startDigitalOceanFake } from '../support/digitalocean-fake.ts';
import { startGoDaddyFake } from '../support/godaddy-fake.ts';
import { newServiceAccount, startGoogleDnsFake } from '../support/google-dns-fake.ts';
import type { VendorFake } from '../support/vendor-fake.ts';
import { captureProcessOutput } from '../support/process-output.ts';
import type { ProcessOutput } from '../support/process-output.ts';

const writer = newServiceAccount('acme-dns-project', 'certwright');
const reader = newServiceAccount('acme-dns-project', 'reader');

interface Case {
  /** Seed 004's obtain body for this provider (rfc2136 adds providerOptions, beyond the seed). */
  body: Record<string, unknown>;
  bad: Record<string, unknown>;
  domain: string;
  /** How many requests the provider's side has had (its vendor fake, Route 53's client); null where none are counted (BIND). */
  requests: () => number | null;
  title: string;
}

/** Route 53 has no local stand-in for a user's own account: its client is mocked at the adapter's seam. */
const route53 = mockClient(Route53Client);
const SEED_ACCESS_KEY = 'AKIAXXXXXXXX';

let api: TestApi;
let bind: BindServer;
const fakes: Record<string, VendorFake> = {};
/** Everything the stack wrote to stdout and stderr while the test ran: its logs. */
let output: ProcessOutput;

beforeAll(async () => {
  output = captureProcessOutput();
  bind = await startBind('rfc.example.test');
  fakes.cloudflare = await startCloudflareFake({ goodToken: 'cf-token-of-seed-004-ABCDEF', readOnlyToken: 'cf-read-only-token-ZZZZ' });
  fakes.digitalocean = await startDigitalOceanFake({ goodToken: 'dop_v1_seed_004_token_ABCDEF', readOnlyToken: 'dop_v1_ro_token_ZZZZ', domain: 'example.org' });
  fakes.godaddy = await startGoDaddyFake({ good: 'gd-seed-key:gd-seed-secret-ABCDEF', readOnly: 'gd-ro:gd-ro-secret-ZZZZ', domain: 'example.net' });
  fakes.google = await startGoogleDnsFake({
    project: 'acme-dns-project',
    zone: 'example-io',
    dnsName: 'example.io.',
    writer: { email: writer.key.client_email, publicKey: writer.publicKey },
    reader: { email: reader.key.client_email, publicKey: reader.publicKey },
  });
  process.env[ENV.dnsApiEndpoints] = Object.entries(fakes)
    .map(([name, fake]) => `${name}=${fake.url}`)
    .join(',');
  // Pebble resolves through the BIND: the rfc2136 project is issued end to end (the vendors are fakes of their APIs only).
  // Route 53 as the seed's IAM user key sees it: the zone example.cloud, and an invalid token for any other key.
  route53.on(ListHostedZonesByNameCommand).callsFake(async (_input, getClient) => {
    const { accessKeyId } = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
    if (accessKeyId !== SEED_ACCESS_KEY) {
      throw Object.assign(new Error(`The security token included in the request is invalid: ${accessKeyId}`), { name: 'InvalidClientTokenId', $fault: 'client' });
    }
    return { HostedZones: [{ Name: 'example.cloud.', Id: '/hostedzone/ZSEED004', CallerReference: 'seed', Config: { PrivateZone: false } }], IsTruncated: false, MaxItems: 100 };
  });
  route53.on(GetHostedZoneCommand).resolves({ DelegationSet: { NameServers: ['ns-1.awsdns-01.org.'] } });
  api = await startTestApi({ acme: { pebble: true, resolveThrough: bind.server } });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await Promise.all(Object.values(fakes).map((fake) => fake.stop()));
  await bind?.stop();
  delete process.env[ENV.dnsApiEndpoints];
  output?.restore();
  route53.restore();
});

const cases = (): Record<string, Case> => ({
  aws: {
    body: { dnsProvider: 'aws', dnsCredentials: { accessKeyId: SEED_ACCESS_KEY, secretAccessKey: 'your-secret-key', region: 'us-east-1' } },
    bad: { accessKeyId: 'AKIAREVOKED00001', secretAccessKey: 'revoked-secret-key-QWERTY', region: 'us-east-1' },
    domain: 'shop.example.cloud',
    requests: () => route53.calls().length,
    title: 'Route 53',
  },
  cloudflare: {
    body: { dnsProvider: 'cloudflare', dnsCredentials: { apiToken: 'cf-token-of-seed-004-ABCDEF' } },
    bad: { apiToken: 'cf-revoked-token-QWERTY' },
    domain: 'shop.example.com',
    requests: () => fakes.cloudflare?.requests.length ?? 0,
    title: 'Cloudflare',
  },
  digitalocean: {
    body: { dnsProvider: 'digitalocean', dnsCredentials: { apiToken: 'dop_v1_seed_004_token_ABCDEF' } },
    bad: { apiToken: 'dop_v1_revoked_QWERTY' },
    domain: 'shop.example.org',
    requests: () => fakes.digitalocean?.requests.length ?? 0,
    title: 'DigitalOcean',
  },
  godaddy: {
    body: { dnsProvider: 'godaddy', dnsCredentials: { apiKey: 'gd-seed-key', apiSecret: 'gd-seed-secret-ABCDEF' } },
    bad: { apiKey: 'gd-seed-key', apiSecret: 'gd-wrong-secret-QWERTY' },
    domain: 'shop.example.net',
    requests: () => fakes.godaddy?.requests.length ?? 0,
    title: 'GoDaddy',
  },
  google: {
    body: { dnsProvider: 'google', dnsCredentials: { projectId: 'acme-dns-project', credentials: writer.key } },
    bad: { projectId: 'acme-dns-project', credentials: { ...newServiceAccount('acme-dns-project', 'x').key, client_email: writer.key.client_email } },
    domain: 'shop.example.io',
    requests: () => fakes.google?.requests.length ?? 0,
    title: 'Google Cloud DNS',
  },
  rfc2136: {
    body: { dnsProvider: 'rfc2136', providerOptions: { server: bind.server }, dnsCredentials: bind.updateKey },
    bad: { ...bind.updateKey, secret: Buffer.alloc(32, 9).toString('base64') },
    domain: `shop.${bind.zone}`,
    requests: () => null,
    title: 'The RFC 2136 server',
  },
});

const secretsOf = (value: unknown): string[] =>
  typeof value === 'string' ? (value.length >= 12 ? [value] : []) : value && typeof value === 'object' ? Object.values(value).flatMap(secretsOf) : [];

async function project(domain: string): Promise<string> {
  const created = await api.request('POST', `/api/organizations/${api.organizationId}/projects`, { body: { name: domain, domain } });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

describe("the projects dialect's obtain with dnsProvider and dnsCredentials, for every provider", () => {
  it('accepts each body, checks the credentials with a harmless read at the provider (dryRun), and answers a refused one with a 422 naming the provider', async () => {
    for (const [name, test] of Object.entries(cases())) {
      const id = await project(test.domain);
      const before = test.requests();
      const dryRun = await api.request('POST', `/api/v1/projects/${id}/certificate/obtain`, {
        body: { email: 'admin@example.com', challengeType: 'dns-01', autoRenew: true, ...test.body, dryRun: true },
      });
      expect(dryRun.status, `${name}: ${dryRun.text}`).toBe(200);
      expect(dryRun.body.checks.join('\n')).toMatch(new RegExp(`The zone of _acme-challenge\\.${test.domain.replace(/\./g, '\\.')} is served by `));
      if (before !== null) expect(test.requests(), `${name}: the harmless read reached the provider`).toBeGreaterThan(before);
      // Nothing stored: a dry run keeps no certificate (so no order) and no credentials.
      const secretName = dnsCredentialsSecretName(api.stack.deps, api.organizationId, id);
      expect((await api.request('GET', `/api/v1/projects/${id}/certificate`)).body).toBeNull();
      expect(await api.stack.deps.secrets.get(secretName), name).toBeNull();

      const refused = await api.request('POST', `/api/v1/projects/${id}/certificate/obtain`, {
        body: { email: 'admin@example.com', challengeType: 'dns-01', ...test.body, dnsCredentials: test.bad },
      });
      expect(refused.status, `${name}: ${refused.text}`).toBe(422);
      expect(refused.body).toEqual({ success: false, error: expect.stringContaining(`${test.title} refused the DNS credentials`) });
      for (const secret of secretsOf(test.bad)) expect(refused.text).not.toContain(secret);
      expect((await api.request('GET', `/api/v1/projects/${id}/certificate`)).body, `${name}: no certificate after a refusal`).toBeNull();
      expect(await api.stack.deps.secrets.get(secretName), `${name}: no credentials kept after a refusal`).toBeNull();
    }
  });

  it('rfc2136 end to end: the credentials go to the secret store, the steps present, check and clean up with them on BIND, and no secret reaches the table, the workflow or a reply', async () => {
    const test = cases().rfc2136!;
    const id = await project(test.domain);
    const record = `_acme-challenge.${test.domain}`;
    const seen: { txt: string[]; payloads: string[] } = { txt: [], payloads: [] };
    const workflow = api.stack.acme.workflow!;
    workflow.beforeTask('CompleteChallenges', async (payload) => {
      seen.txt = await bind.txt(record);
      seen.payloads.push(JSON.stringify(payload));
    });
    workflow.beforeTask('CheckPropagation', async (payload) => void seen.payloads.push(JSON.stringify(payload)));
    try {
      const obtain = await api.request('POST', `/api/v1/projects/${id}/certificate/obtain`, {
        body: { email: 'admin@example.com', challengeType: 'dns-01', keyType: 'ec', ...test.body },
      });
      expect(obtain.status, obtain.text).toBe(202);
      const certificateId = String((await api.request('GET', `/api/organizations/${api.organizationId}/projects/${id}`)).body.certificate).split('/').pop() ?? '';
      const done = await waitForAttempt(api, `/api/organizations/${api.organizationId}/certificates/${certificateId}`);
      // Presented on BIND with the stored key, and visible there before the CA was told.
      expect(seen.txt).toHaveLength(1);
      // Pebble resolves through this BIND: issued, and clean-up removed the value from BIND with the stored key.
      expect(done.lastAttempt, done.lastAttempt.error).toMatchObject({ status: 'succeeded' });
      expect(done.domainName).toBe(test.domain);
      await workflow.idle();
      expect(await bind.txt(record)).toEqual([]);

      const settings = await api.stack.deps.issuance.getSettings(certificateId);
      // The project's own zone: its domain on the provider, with the options and a reference to the stored credentials.
      expect(settings).toMatchObject({
        dnsProvider: 'rfc2136',
        dnsZones: [{ zoneName: test.domain, dnsProvider: 'rfc2136', providerOptions: { server: bind.server }, credentialsSecretName: expect.stringMatching(/dns-credentials\//) }],
      });
      const stored = await api.stack.deps.secrets.get(settings?.dnsZones?.[0]?.credentialsSecretName ?? '');
      expect(JSON.parse(stored ?? '{}')).toEqual(bind.updateKey);
      for (const text of [JSON.stringify(settings), ...seen.payloads, obtain.text, JSON.stringify(done)]) expect(text).not.toContain(bind.updateKey.secret);
    } finally {
      workflow.beforeTask('CompleteChallenges', null);
      workflow.beforeTask('CheckPropagation', null);
    }
  });

  it('logged no secret of any provider', () => {
    for (const test of Object.values(cases())) for (const secret of [...secretsOf(test.body.dnsCredentials), ...secretsOf(test.bad)]) expect(output.text()).not.toContain(secret);
  });
});
