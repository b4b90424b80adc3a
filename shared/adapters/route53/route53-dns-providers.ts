import type { Route53Client } from '@aws-sdk/client-route-53';
import type { DnsProvider } from '../../ports/dns-provider.ts';
import { Route53DnsProvider } from './route53-dns-provider.ts';
import type { Route53DnsProviderOptions } from './route53-dns-provider.ts';

/**
 * Route 53 providers over one client: one that finds each record's zone by the longest matching suffix, and one per
 * hosted zone id a project pins (its records go to that zone, with no lookup). Each keeps its caches while the
 * Lambda container lives.
 */
export class Route53DnsProviders {
  private readonly byZone = new Map<string, Route53DnsProvider>();

  constructor(
    private readonly client: Route53Client,
    private readonly options: Omit<Route53DnsProviderOptions, 'hostedZoneId'> = {},
  ) {}

  /** The provider for a pinned hosted zone id (`Z123` or `/hostedzone/Z123`), or the looking-up one for none. */
  forZone(hostedZoneId: string | null | undefined): DnsProvider {
    const key = hostedZoneId?.replace(/^\/hostedzone\//, '') ?? '';
    let provider = this.byZone.get(key);
    if (!provider) {
      provider = new Route53DnsProvider(this.client, { ...this.options, hostedZoneId: key || undefined });
      this.byZone.set(key, provider);
    }
    return provider;
  }
}
