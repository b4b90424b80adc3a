/** The DNS providers dns-01 can name (`dnsProvider`), one folder each beside this file; see docs/dns-providers.md. */
export const DNS_PROVIDER_NAMES = ['aws', 'cloudflare', 'digitalocean', 'godaddy', 'google', 'rfc2136'] as const;

export type DnsProviderName = (typeof DNS_PROVIDER_NAMES)[number];

/** Route 53 with the deployment's own role when a request names no provider. */
export const DEFAULT_DNS_PROVIDER: DnsProviderName = 'aws';

/** How messages name each provider. */
export const PROVIDER_TITLES: Readonly<Record<DnsProviderName, string>> = {
  aws: 'Route 53',
  cloudflare: 'Cloudflare',
  digitalocean: 'DigitalOcean',
  godaddy: 'GoDaddy',
  google: 'Google Cloud DNS',
  rfc2136: 'The RFC 2136 server',
};

export const isDnsProviderName = (name: string | null | undefined): name is DnsProviderName =>
  (DNS_PROVIDER_NAMES as readonly string[]).includes(name ?? '');
