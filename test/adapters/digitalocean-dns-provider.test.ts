import { startDigitalOceanFake } from '../support/digitalocean-fake.ts';
import { describeProviderContract } from '../support/dns-provider-contract.ts';

describeProviderContract('digitalocean over fetch, against a fake of the DigitalOcean API v2 domain records', async () => {
  const fake = await startDigitalOceanFake({ goodToken: 'dop_v1_good_token_123456', readOnlyToken: 'dop_v1_read_only_123456', domain: 'example.org' });
  return {
    provider: 'digitalocean',
    fake,
    credentials: { apiToken: 'dop_v1_good_token_123456' },
    badCredentials: { apiToken: 'dop_v1_revoked_token_654321' },
    readOnlyCredentials: { apiToken: 'dop_v1_read_only_123456' },
    recordName: '_acme-challenge.shop.example.org',
    nameServers: ['ns1.digitalocean.com:53', 'ns2.digitalocean.com:53', 'ns3.digitalocean.com:53'],
    authenticated: (request) => /^Bearer dop_v1_/.test(String(request.headers.authorization)),
  };
});
