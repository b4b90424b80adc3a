import { Route53Client } from '@aws-sdk/client-route-53';
import { ChalltestsrvDnsProvider } from '../adapters/challtestsrv/challtestsrv-dns-provider.ts';
import { Route53DnsProvider } from '../adapters/route53/route53-dns-provider.ts';
import { Route53DnsProviders } from '../adapters/route53/route53-dns-providers.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { providerOptionsOf } from '../domain/dns-zone.ts';
import type { DnsZoneTarget } from '../domain/dns-zone.ts';
import { CertwrightError } from '../domain/errors.ts';
import type { DnsProvider } from '../ports/dns-provider.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { AcmeDeps } from '../use-cases/acme/acme-deps.ts';

/** A provider whose credentials are read from the secret store on first use, so that choosing it stays synchronous. */
function deferred(load: () => Promise<DnsProvider>): DnsProvider {
  let provider: Promise<DnsProvider> | undefined;
  const ready = () => (provider ??= load().catch((error: unknown) => ((provider = undefined), Promise.reject(error))));
  return {
    present: async (record) => (await ready()).present(record),
    isChangeInSync: async (changeId) => (await ready()).isChangeInSync(changeId),
    authoritativeNameServers: async (record) => (await ready()).authoritativeNameServers(record),
    cleanUp: async (record) => (await ready()).cleanUp(record),
  };
}

/** Route 53 of another AWS account, with that account's access key (seed 004's `aws` credentials). */
async function route53WithCredentials(secrets: SecretStore, secretName: string, hostedZoneId: string | undefined): Promise<DnsProvider> {
  const value = await secrets.get(secretName);
  const credentials = value ? (JSON.parse(value) as { accessKeyId?: string; secretAccessKey?: string; region?: string }) : null;
  if (!credentials?.accessKeyId || !credentials.secretAccessKey)
    throw new CertwrightError('dependency_unavailable', "The DNS zone's credentials are missing from the secret store");
  const client = new Route53Client({
    region: credentials.region || 'us-east-1',
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
  return new Route53DnsProvider(client, { hostedZoneId });
}

/**
 * The DNS provider of a zone. The deployment's own DNS (`aws` without credentials) is Route 53 through the function's
 * role, in the zone's hosted zone when its options name one, and challtestsrv on the local stack; a zone with
 * credentials gets a client of its own, its credentials read from the secret store by name when first needed. Other
 * providers come with the provider registry. Each is built on first use.
 */
export function dnsProvidersFor(config: AcmeConfig, secrets?: SecretStore): AcmeDeps['dnsProviderFor'] {
  let challtestsrv: DnsProvider | undefined;
  let route53: Route53DnsProviders | undefined;
  const withCredentials = new Map<string, DnsProvider>();
  return (zone: DnsZoneTarget) => {
    const provider = zone.dnsProvider ?? 'aws';
    const options = providerOptionsOf(zone);
    const credentialsSecretName = zone.credentialsSecretName ?? null;
    if (provider === 'aws' && credentialsSecretName === null) {
      // Locally the deployment's own DNS is challtestsrv, which serves every name: a hosted zone id chooses nothing there.
      if (config.challtestsrv) return (challtestsrv ??= new ChalltestsrvDnsProvider(config.challtestsrv.url, config.challtestsrv.dnsServer));
      route53 ??= new Route53DnsProviders(new Route53Client({}));
      return route53.forZone(options.hostedZoneId);
    }
    if (provider === 'aws' && credentialsSecretName !== null && secrets) {
      const key = `${credentialsSecretName}\n${options.hostedZoneId ?? ''}`;
      let found = withCredentials.get(key);
      if (!found) {
        found = deferred(() => route53WithCredentials(secrets, credentialsSecretName, options.hostedZoneId));
        withCredentials.set(key, found);
      }
      return found;
    }
    throw new CertwrightError('bad_request', `DNS provider ${provider} is not supported here`);
  };
}
