import type { ProviderOptions } from '../../domain/acme.ts';
import { CertwrightError } from '../../domain/errors.ts';
import type { DnsZoneTarget } from '../../domain/dns-zone.ts';
import type { DnsCredentials, DnsProvider } from '../../ports/dns-provider.ts';
import type { SecretStore } from '../../ports/secret-store.ts';
import { lazyDnsProvider } from './lazy-dns-provider.ts';
import { DEFAULT_DNS_PROVIDER, PROVIDER_TITLES, isDnsProviderName } from './names.ts';
import type { DnsProviderName } from './names.ts';
import type { ProviderBackoff } from './provider-errors.ts';

/** What a provider's factory is given: its own options and credentials, nothing of the core. */
export interface ProviderContext {
  provider: DnsProviderName;
  options: ProviderOptions;
  /** As the user gave them; null where the provider needs none (Route 53 with the deployment's role). */
  credentials: DnsCredentials | null;
  /** A base URL in place of the vendor's API: a local fake in tests. */
  endpoint: string | undefined;
  backoff: ProviderBackoff;
}

export type ProviderFactory = (context: ProviderContext) => Promise<DnsProvider>;

/**
 * One factory per provider folder. Each is imported when first chosen, so a step that only ever talks to Route 53
 * does not evaluate the Cloudflare or Google SDKs at cold start.
 */
export const DNS_PROVIDER_FACTORIES: Readonly<Record<DnsProviderName, ProviderFactory>> = {
  aws: async (context) => (await import('./route53/route53-factory.ts')).route53Provider(context),
  cloudflare: async (context) => (await import('./cloudflare/cloudflare-dns-provider.ts')).cloudflareProvider(context),
  digitalocean: async (context) => (await import('./digitalocean/digitalocean-dns-provider.ts')).digitalOceanProvider(context),
  godaddy: async (context) => (await import('./godaddy/godaddy-dns-provider.ts')).goDaddyProvider(context),
  google: async (context) => (await import('./google/google-dns-provider.ts')).googleProvider(context),
  rfc2136: async (context) => (await import('./rfc2136/rfc2136-dns-provider.ts')).rfc2136Provider(context),
};

export interface DnsProviderRegistryDeps {
  /** Where a zone's `credentialsSecretName` points. */
  secrets: SecretStore;
  /** Base URLs per provider (tests and the local stack: each vendor's fake). */
  endpoints?: Readonly<Record<string, string>>;
  /** Factories in place of the registry's own (the local stack: challtestsrv for `aws`). */
  factories?: Partial<Record<DnsProviderName, ProviderFactory>>;
  backoff?: ProviderBackoff;
}

async function readCredentials(secrets: SecretStore, name: string, provider: DnsProviderName): Promise<DnsCredentials> {
  const value = await secrets.get(name);
  if (value === null) {
    throw new CertwrightError('bad_request', `The ${PROVIDER_TITLES[provider]} credentials of this certificate are gone; obtain it again with dnsCredentials`);
  }
  return JSON.parse(value) as DnsCredentials;
}

/**
 * The provider registry: turns a zone target into a provider, picked by its `dnsProvider`, with its options, and its
 * credentials read from the secret store by reference (`credentialsSecretName`) (or as given, while obtain checks them before they are stored). Providers without
 * credentials are kept for the container's life (their zone caches with them); those with credentials are built per
 * use, so credentials replaced by a later obtain are never served from a stale copy.
 */
export function dnsProviderRegistry(deps: DnsProviderRegistryDeps): (target: DnsZoneTarget, inline?: DnsCredentials) => DnsProvider {
  const kept = new Map<string, DnsProvider>();
  const factories = { ...DNS_PROVIDER_FACTORIES, ...deps.factories };
  return (target, inline) => {
    const provider = target.dnsProvider ?? DEFAULT_DNS_PROVIDER;
    if (!isDnsProviderName(provider)) throw new CertwrightError('bad_request', `DNS provider ${provider} is not supported`);
    const options: ProviderOptions = target.providerOptions ?? {};
    const secretName = target.credentialsSecretName ?? null;
    const build = async (): Promise<DnsProvider> =>
      factories[provider]({
        provider,
        options,
        credentials: inline ?? (secretName ? await readCredentials(deps.secrets, secretName, provider) : null),
        endpoint: deps.endpoints?.[provider],
        backoff: deps.backoff ?? {},
      });
    if (inline || secretName) return lazyDnsProvider(build);
    const key = `${provider} ${JSON.stringify(Object.entries(options).sort())}`;
    let found = kept.get(key);
    if (!found) {
      found = lazyDnsProvider(build);
      kept.set(key, found);
    }
    return found;
  };
}
