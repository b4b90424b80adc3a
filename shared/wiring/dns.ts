import { Route53Client } from '@aws-sdk/client-route-53';
import { ChalltestsrvDnsProvider } from '../adapters/challtestsrv/challtestsrv-dns-provider.ts';
import { Route53DnsProviders } from '../adapters/route53/route53-dns-providers.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import type { DnsProvider } from '../ports/dns-provider.ts';
import type { AcmeDeps } from '../use-cases/acme/acme-deps.ts';

/** The DNS provider for dns-01: Route 53 in AWS (in the pinned zone if any), challtestsrv locally; each built on first use. */
export function dnsProvidersFor(config: AcmeConfig): AcmeDeps['dnsProviderFor'] {
  let challtestsrv: DnsProvider | undefined;
  let route53: Route53DnsProviders | undefined;
  return (settings) => {
    // Locally every name lives in challtestsrv, so a pinned zone id has nothing to choose there.
    if (config.challtestsrv) return (challtestsrv ??= new ChalltestsrvDnsProvider(config.challtestsrv.url, config.challtestsrv.dnsServer));
    route53 ??= new Route53DnsProviders(new Route53Client({}));
    return route53.forZone(settings.hostedZoneId);
  };
}
