import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Route53DnsProviders } from '../../shared/adapters/route53/route53-dns-providers.ts';

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

describe('Route 53 for DNS-01, with a hosted zone id a project pins', () => {
  const providers = () => new Route53DnsProviders(new Route53Client({ region: 'us-east-1' }), { sleep: async () => undefined });

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

  it('keeps one provider (and its caches) per zone over one client', () => {
    const all = providers();
    expect(all.forZone('ZPINNED')).toBe(all.forZone('/hostedzone/ZPINNED'));
    expect(all.forZone(undefined)).toBe(all.forZone(null));
    expect(all.forZone('ZPINNED')).not.toBe(all.forZone(null));
  });
});
