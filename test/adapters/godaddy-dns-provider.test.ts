import { startGoDaddyFake } from '../support/godaddy-fake.ts';
import { describeProviderContract } from '../support/dns-provider-contract.ts';

describeProviderContract('godaddy over fetch, against a fake of the GoDaddy Domains API v1', async () => {
  const fake = await startGoDaddyFake({ good: 'gd-key-good:gd-secret-good-123', readOnly: 'gd-key-ro:gd-secret-ro-123', domain: 'example.net' });
  return {
    provider: 'godaddy',
    fake,
    credentials: { apiKey: 'gd-key-good', apiSecret: 'gd-secret-good-123' },
    badCredentials: { apiKey: 'gd-key-good', apiSecret: 'gd-secret-wrong-456' },
    readOnlyCredentials: { apiKey: 'gd-key-ro', apiSecret: 'gd-secret-ro-123' },
    recordName: '_acme-challenge.shop.example.net',
    nameServers: ['ns51.domaincontrol.com:53', 'ns52.domaincontrol.com:53'],
    authenticated: (request) => /^sso-key gd-key-[a-z]+:gd-secret-/.test(String(request.headers.authorization)),
  };
});
