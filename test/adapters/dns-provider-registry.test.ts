import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dnsProviderRegistry } from '../../shared/adapters/dns/registry.ts';
import type { SecretStore } from '../../shared/ports/secret-store.ts';

const r53 = mockClient(Route53Client);
const NAME = '_acme-challenge.shop.example.com';
const changeBatches = () => r53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input);

beforeEach(() => {
  r53.reset();
  r53.on(ListHostedZonesByNameCommand).resolves({
    HostedZones: [{ Name: 'example.com.', Id: '/hostedzone/ZBYNAME', CallerReference: 'a', Config: { PrivateZone: false } }],
    IsTruncated: false,
    MaxItems: 100,
  });
  r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
});

const stored = new Map<string, string>();
const secrets: SecretStore = {
  put: async (name, value) => void stored.set(name, value),
  create: async () => true,
  get: async (name) => stored.get(name) ?? null,
  delete: async (name) => void stored.delete(name),
};

describe('the provider registry, for aws (Route 53), with a hosted zone id a project pins', () => {
  const registry = () => dnsProviderRegistry({ secrets, backoff: { sleep: async () => undefined } });
  const providers = () => {
    const choose = registry();
    return { forZone: (hostedZoneId: string | null | undefined) => choose({ dnsProvider: 'aws', providerOptions: hostedZoneId ? { hostedZoneId } : null }) };
  };

  it('writes and removes the TXT value in the pinned zone, without looking a zone up by name', async () => {
    const dns = providers().forZone('/hostedzone/ZPINNED');
    r53.on(ListResourceRecordSetsCommand).resolvesOnce({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    await dns.present({ name: NAME, value: 'v1' });
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: `${NAME}.`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"v1"' }] }],
      IsTruncated: false,
      MaxItems: 1,
    });
    await dns.cleanUp({ name: NAME, value: 'v1' });

    expect(changeBatches().map((batch) => [batch.HostedZoneId, batch.ChangeBatch?.Changes?.map((change) => change.Action)])).toEqual([
      ['ZPINNED', ['CREATE']],
      ['ZPINNED', ['DELETE']],
    ]);
    expect(r53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(0);
  });

  it('without a pinned zone, finds it by the longest matching suffix as before', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    await providers().forZone(null).present({ name: NAME, value: 'v1' });
    expect(changeBatches()[0]?.HostedZoneId).toBe('ZBYNAME');
    expect(r53.commandCalls(ListHostedZonesByNameCommand).length).toBeGreaterThan(0);
  });

  it('keeps one provider (and its caches) per zone while no credentials are involved', () => {
    const all = providers();
    expect(all.forZone('ZPINNED')).toBe(all.forZone('ZPINNED'));
    expect(all.forZone(undefined)).toBe(all.forZone(null));
    expect(all.forZone('ZPINNED')).not.toBe(all.forZone(null));
  });

  it('signs with the user\'s access key read from the secret store, and a refused key is a 422 naming Route 53 without the key', async () => {
    stored.set('certwright/dns-credentials/1/projects/p', JSON.stringify({ accessKeyId: 'AKIAUSERKEY1', secretAccessKey: 'user-secret-value' }));
    r53.on(ListResourceRecordSetsCommand).rejects(
      Object.assign(new Error('The security token included in the request is invalid: AKIAUSERKEY1'), { name: 'InvalidClientTokenId', $fault: 'client' }),
    );
    const dns = registry()({ dnsProvider: 'aws', providerOptions: { hostedZoneId: 'Z1' }, credentialsSecretName: 'certwright/dns-credentials/1/projects/p' });
    const refused = (await dns.present({ name: NAME, value: 'v1' }).catch((error: unknown) => error)) as Error & { code?: string };
    expect(refused).toMatchObject({ code: 'credentials_refused', message: expect.stringMatching(/^Route 53 refused the DNS credentials: InvalidClientTokenId/) });
    expect(refused.message).not.toContain('AKIAUSERKEY1');
    const client = r53.call(0).thisValue as Route53Client;
    expect((await client.config.credentials()).accessKeyId).toBe('AKIAUSERKEY1');
  });

  it('answers a name it does not know with a 400 and never picks a provider by itself', () => {
    expect(() => registry()({ dnsProvider: 'powerdns' })).toThrow(/DNS provider powerdns is not supported/);
  });
});
