import { ChalltestsrvDnsProvider } from '../adapters/dns/challtestsrv/challtestsrv-dns-provider.ts';
import { dnsProviderRegistry } from '../adapters/dns/registry.ts';
import type { ProviderFactory } from '../adapters/dns/registry.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import type { DnsProvider } from '../ports/dns-provider.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { AcmeDeps } from '../use-cases/acme/acme-deps.ts';
import { cnameResolver } from '../use-cases/acme/challenge-name.ts';
import type { ResolveCname } from '../use-cases/acme/challenge-name.ts';

/**
 * The DNS providers for dns-01, from the registry, chosen by each attempt's settings. The local stack is the one
 * place that swaps one: its Route 53 is pebble-challtestsrv, the DNS Pebble resolves through. The other providers
 * are the real adapters, pointed at local fakes by CERTWRIGHT_DNS_API_ENDPOINTS in tests.
 */
export function dnsProvidersFor(config: AcmeConfig, secrets: SecretStore): AcmeDeps['dnsProviderFor'] {
  const factories: { aws?: ProviderFactory } = {};
  const local = config.challtestsrv;
  if (local) {
    let challtestsrv: DnsProvider | undefined;
    factories.aws = async () => (challtestsrv ??= new ChalltestsrvDnsProvider(local.url, local.dnsServer));
  }
  return dnsProviderRegistry({ secrets, endpoints: config.dnsApiEndpoints, factories });
}

/** Where `_acme-challenge` CNAMEs are looked up: locally challtestsrv (what Pebble resolves through), else the system resolver. */
export const cnameLookupFor = (config: AcmeConfig): ResolveCname | undefined =>
  config.challtestsrv ? cnameResolver({ servers: [config.challtestsrv.dnsServer] }) : undefined;
