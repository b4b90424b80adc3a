import { startCloudflareFake } from '../support/cloudflare-fake.ts';
import { describeProviderContract } from '../support/dns-provider-contract.ts';

describeProviderContract('cloudflare through the official SDK, against a fake of the Cloudflare API v4', async () => {
  const fake = await startCloudflareFake({ goodToken: 'cf-good-token-1234567890', readOnlyToken: 'cf-read-only-token-123' });
  return {
    provider: 'cloudflare',
    fake,
    credentials: { apiToken: 'cf-good-token-1234567890' },
    badCredentials: { apiToken: 'cf-revoked-token-0987654321' },
    readOnlyCredentials: { apiToken: 'cf-read-only-token-123' },
    recordName: '_acme-challenge.shop.example.com',
    nameServers: ['ada.ns.cloudflare.com:53', 'bob.ns.cloudflare.com:53'],
    authenticated: (request) => /^Bearer cf-/.test(String(request.headers.authorization)),
  };
});
