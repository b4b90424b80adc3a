import { ChalltestsrvDnsProvider } from '../adapters/dns/challtestsrv/challtestsrv-dns-provider.ts';
import { DNS_PROVIDER_FACTORIES, dnsProviderRegistry } from '../adapters/dns/registry.ts';
import type { ProviderFactory } from '../adapters/dns/registry.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import type { DnsProvider } from '../ports/dns-provider.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { AcmeDeps } from '../use-cases/acme/acme-deps.ts';

/**
 * The DNS provider of a zone, from the provider registry: chosen by the zone's provider, configured by its provider
 * options, with its credentials read from the secret store by the zone's `credentialsSecretName` when first needed.
 * The deployment's own DNS (`aws` without credentials) is Route 53 through the function's role, and on the local
 * stack pebble-challtestsrv, the DNS Pebble resolves through (it serves every name: a hosted zone id chooses nothing
 * there); Route 53 with a zone's own credentials is the real client everywhere. The other providers are the real adapters, pointed at local fakes by CERTWRIGHT_DNS_API_ENDPOINTS in tests.
 */
export function dnsProvidersFor(config: AcmeConfig, secrets: SecretStore): AcmeDeps['dnsProviderFor'] {
  const factories: { aws?: ProviderFactory } = {};
  const local = config.challtestsrv;
  if (local) {
    let challtestsrv: DnsProvider | undefined;
    factories.aws = async (context) =>
      context.credentials
        ? DNS_PROVIDER_FACTORIES.aws(context)
        : (challtestsrv ??= new ChalltestsrvDnsProvider(local.url, local.dnsServer));
  }
  return dnsProviderRegistry({ secrets, endpoints: config.dnsApiEndpoints, factories });
}
