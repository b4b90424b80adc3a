import { describe, expect, it } from 'vitest';
import { dnsProviderRegistry } from '../../shared/adapters/dns/registry.ts';
import { describeProviderContract } from '../support/dns-provider-contract.ts';
import { newServiceAccount, startGoogleDnsFake } from '../support/google-dns-fake.ts';

const writer = newServiceAccount('acme-dns-project', 'certwright');
const reader = newServiceAccount('acme-dns-project', 'dns-reader');
// The writer's e-mail with a key the fake does not know: a revoked key.
const revoked = { ...newServiceAccount('acme-dns-project', 'certwright').key, client_email: writer.key.client_email };
const fakeOptions = {
  project: 'acme-dns-project',
  zone: 'example-io',
  dnsName: 'example.io.',
  writer: { email: writer.key.client_email, publicKey: writer.publicKey },
  reader: { email: reader.key.client_email, publicKey: reader.publicKey },
};

describeProviderContract('google through @google-cloud/dns, against a fake of the Cloud DNS API v1', async () => {
  const fake = await startGoogleDnsFake(fakeOptions);
  return {
    provider: 'google',
    fake,
    credentials: { projectId: 'acme-dns-project', credentials: writer.key },
    badCredentials: { projectId: 'acme-dns-project', credentials: revoked },
    readOnlyCredentials: { projectId: 'acme-dns-project', credentials: reader.key },
    recordName: '_acme-challenge.shop.example.io',
    // The client's own retries (3) after its first try; the shared backoff then tries once.
    attempts: 4,
    nameServers: ['ns-cloud-a1.googledomains.com:53', 'ns-cloud-a2.googledomains.com:53'],
    authenticated: (request) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(String(request.headers.authorization)),
  };
});

describe('google: the change status', () => {
  it('reports a change in sync once Cloud DNS says done; a later change keeps a value another writer added meanwhile', async () => {
    const fake = await startGoogleDnsFake(fakeOptions);
    try {
      const registry = dnsProviderRegistry({
        secrets: { put: async () => undefined, create: async () => true, get: async () => null, delete: async () => undefined },
        endpoints: { google: fake.url },
        backoff: { sleep: async () => undefined },
      });
      const dns = registry({ dnsProvider: 'google', providerOptions: { managedZone: 'example-io' } }, { projectId: 'acme-dns-project', credentials: JSON.stringify(writer.key) });
      const { changeId } = await dns.present({ name: '_acme-challenge.example.io', value: 'v1' });
      expect(changeId).toBe('example-io/1');
      expect(await dns.isChangeInSync(changeId ?? '')).toBe(false);
      expect(await dns.isChangeInSync(changeId ?? '')).toBe(true);

      // The set is replaced as a whole (delete what was read, add it back with ours), so what was read must be current.
      fake.seedTxt('_acme-challenge.example.io', 'someone-else');
      const before = fake.changes;
      await dns.present({ name: '_acme-challenge.example.io', value: 'v2' });
      expect(fake.txt('_acme-challenge.example.io')).toEqual(['someone-else', 'v1', 'v2']);
      expect(fake.changes).toBe(before + 1);
    } finally {
      await fake.stop();
    }
  });
});
