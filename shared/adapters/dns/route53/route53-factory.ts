import { Route53Client } from '@aws-sdk/client-route-53';
import type { DnsProvider } from '../../../ports/dns-provider.ts';
import { credentialFields } from '../provider-errors.ts';
import type { ProviderContext } from '../registry.ts';
import { Route53DnsProvider } from './route53-dns-provider.ts';

/** The deployment's own role: one client per container. */
let roleClient: Route53Client | undefined;

/**
 * `aws`: Route 53 with the deployment's role, or with the access key the user gave (the projects dialect's obtain: `accessKeyId`,
 * `secretAccessKey`, optional `region`; Route 53 is global, the region only picks the endpoint's signing region).
 * Options: `hostedZoneId` pins the zone instead of finding it by name.
 */
export function route53Provider(context: ProviderContext): DnsProvider {
  let client: Route53Client;
  if (context.credentials) {
    const { accessKeyId, secretAccessKey } = credentialFields('aws', context.credentials, ['accessKeyId', 'secretAccessKey']);
    const region = typeof context.credentials.region === 'string' && context.credentials.region ? context.credentials.region : 'us-east-1';
    const sessionToken = typeof context.credentials.sessionToken === 'string' ? context.credentials.sessionToken : undefined;
    client = new Route53Client({
      region,
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      ...(context.endpoint ? { endpoint: context.endpoint } : {}),
    });
  } else {
    client = roleClient ??= new Route53Client(context.endpoint ? { endpoint: context.endpoint } : {});
  }
  return new Route53DnsProvider(client, {
    hostedZoneId: context.options.hostedZoneId,
    userCredentials: context.credentials,
    ...context.backoff,
  });
}
