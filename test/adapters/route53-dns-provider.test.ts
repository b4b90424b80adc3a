import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { HostedZone, ListHostedZonesByNameCommandInput, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Route53DnsProvider } from '../../shared/adapters/dns/route53/route53-dns-provider.ts';
import type { Route53DnsProviderOptions } from '../../shared/adapters/dns/route53/route53-dns-provider.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';

const r53 = mockClient(Route53Client);
const sleeps: number[] = [];

const provider = (options: Route53DnsProviderOptions = {}) =>
  new Route53DnsProvider(new Route53Client({ region: 'us-east-1' }), {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...options,
  });

const zone = (name: string, id: string, privateZone = false): HostedZone => ({
  Name: `${name}.`,
  Id: `/hostedzone/${id}`,
  CallerReference: id,
  Config: { PrivateZone: privateZone },
});

/** Zones as ListHostedZonesByName orders them (by reversed labels), one page per call starting at DNSName. */
const listingOf = (zones: HostedZone[]) => (input: ListHostedZonesByNameCommandInput) => {
  const key = (name: string) => name.replace(/\.$/, '').split('.').reverse().join('.');
  const sorted = [...zones].sort((a, b) => key(a.Name ?? '').localeCompare(key(b.Name ?? '')));
  const start = sorted.findIndex((z) => key(z.Name ?? '') >= key(input.DNSName ?? ''));
  return { HostedZones: start < 0 ? [] : sorted.slice(start), IsTruncated: false, MaxItems: input.MaxItems ?? 100 };
};

const txt = (name: string, values: string[], ttl = 60): ResourceRecordSet => ({
  Name: `${name}.`,
  Type: 'TXT',
  TTL: ttl,
  ResourceRecords: values.map((value) => ({ Value: `"${value}"` })),
});

const changeBatches = () => r53.commandCalls(ChangeResourceRecordSetsCommand).map((call) => call.args[0].input);

const invalidChangeBatch = (message: string) => new InvalidChangeBatch({ message, messages: [message], $metadata: {} });

const NAME = '_acme-challenge.example.com';

beforeEach(() => {
  r53.reset();
  sleeps.length = 0;
  r53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
});

describe('Route53DnsProvider: hosted zone lookup', () => {
  it('writes into the zone with the longest matching suffix, and looks each name up once per instance', async () => {
    r53
      .on(ListHostedZonesByNameCommand)
      .callsFake(listingOf([zone('example.com', 'ZROOT'), zone('shop.example.com', 'ZSHOP'), zone('other.org', 'ZOTHER')]));
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    const dns = provider();

    await dns.present({ name: '_acme-challenge.www.shop.example.com', value: 'v1' });
    await dns.present({ name: '_acme-challenge.www.shop.example.com', value: 'v2' });

    expect(changeBatches().map((input) => input.HostedZoneId)).toEqual(['ZSHOP', 'ZSHOP']);
    // _acme-challenge.www.shop.example.com, www.shop.example.com, then shop.example.com matched; the second present asked nothing.
    expect(r53.commandCalls(ListHostedZonesByNameCommand).map((call) => call.args[0].input.DNSName)).toEqual([
      '_acme-challenge.www.shop.example.com',
      'www.shop.example.com',
      'shop.example.com',
    ]);
  });

  it('ignores a private zone of the same name, following the listing onto its next page', async () => {
    r53
      .on(ListHostedZonesByNameCommand, { DNSName: 'example.com' })
      .resolves({
        HostedZones: [zone('example.com', 'ZPRIVATE', true)],
        IsTruncated: true,
        NextDNSName: 'example.com.',
        NextHostedZoneId: 'ZPUBLIC',
        MaxItems: 1,
      })
      .on(ListHostedZonesByNameCommand, { DNSName: 'example.com.', HostedZoneId: 'ZPUBLIC' })
      .resolves({ HostedZones: [zone('example.com', 'ZPUBLIC')], IsTruncated: false, MaxItems: 1 })
      .on(ListHostedZonesByNameCommand, { DNSName: NAME })
      .resolves({ HostedZones: [zone('example.net', 'ZNET')], IsTruncated: false, MaxItems: 1 });
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });

    await provider().present({ name: NAME, value: 'v1' });

    expect(changeBatches()[0]?.HostedZoneId).toBe('ZPUBLIC');
  });

  it('refuses a name no public zone contains, with a clear non-retryable error', async () => {
    r53.on(ListHostedZonesByNameCommand).callsFake(listingOf([zone('example.com', 'ZPRIVATE', true)]));

    const error = await provider()
      .present({ name: NAME, value: 'v1' })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      code: 'bad_request',
      retryable: false,
      message: 'No public Route 53 hosted zone contains _acme-challenge.example.com',
    });
    expect(changeBatches()).toEqual([]);
  });

  it('uses a configured hosted zone id without any lookup', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });

    await provider({ hostedZoneId: '/hostedzone/ZPINNED' }).present({ name: NAME, value: 'v1' });

    expect(changeBatches()[0]?.HostedZoneId).toBe('ZPINNED');
    expect(r53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(0);
  });
});

describe('Route53DnsProvider: present', () => {
  const dns = () => provider({ hostedZoneId: 'Z1' });

  it('keeps the apex value when the wildcard value is added on the same name (two values at once)', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      // The listing starts at the name: a record set sorted after it is not ours.
      .resolvesOnce({ ResourceRecordSets: [txt('a._acme-challenge.example.com', ['x'])], IsTruncated: false, MaxItems: 1 })
      .resolvesOnce({ ResourceRecordSets: [txt(NAME, ['apex-token'], 120)], IsTruncated: false, MaxItems: 1 });

    const first = await dns().present({ name: NAME, value: 'apex-token' });
    await dns().present({ name: NAME, value: 'wildcard-token' });

    expect(first).toEqual({ changeId: '/change/C1' });
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: 'Z1',
      StartRecordName: NAME,
      StartRecordType: 'TXT',
      MaxItems: 1,
    });
    const [created, merged] = changeBatches().map((input) => input.ChangeBatch?.Changes);
    expect(created).toEqual([
      { Action: 'CREATE', ResourceRecordSet: { Name: NAME, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"apex-token"' }] } },
    ]);
    // Delete exactly what was read and create the merged set, in one atomic batch.
    expect(merged).toEqual([
      { Action: 'DELETE', ResourceRecordSet: { Name: NAME, Type: 'TXT', TTL: 120, ResourceRecords: [{ Value: '"apex-token"' }] } },
      {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: NAME,
          Type: 'TXT',
          TTL: 120,
          ResourceRecords: [{ Value: '"apex-token"' }, { Value: '"wildcard-token"' }],
        },
      },
    ]);
  });

  it('does not add a value twice when presented again', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [txt(NAME, ['v1', 'v2'])], IsTruncated: false, MaxItems: 1 });

    await dns().present({ name: NAME, value: 'v1' });

    expect(changeBatches()[0]?.ChangeBatch?.Changes?.[1]?.ResourceRecordSet?.ResourceRecords).toEqual([
      { Value: '"v1"' },
      { Value: '"v2"' },
    ]);
  });

  it('reads again and merges when another solver wrote the same name between its read and its write', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 })
      .resolvesOnce({ ResourceRecordSets: [txt(NAME, ['theirs'])], IsTruncated: false, MaxItems: 1 });
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(invalidChangeBatch(`Tried to create resource record set [name='${NAME}.', type='TXT'] but it already exists`))
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });

    expect(await dns().present({ name: NAME, value: 'ours' })).toEqual({ changeId: '/change/C2' });

    expect(changeBatches()[1]?.ChangeBatch?.Changes?.map((change) => [change.Action, change.ResourceRecordSet?.ResourceRecords])).toEqual([
      ['DELETE', [{ Value: '"theirs"' }]],
      ['CREATE', [{ Value: '"theirs"' }, { Value: '"ours"' }]],
    ]);
  });
});

describe('Route53DnsProvider: propagation', () => {
  it('reports a change in sync only once GetChange says INSYNC', async () => {
    r53
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } })
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } });
    const dns = provider();

    expect(await dns.isChangeInSync('/change/C1')).toBe(false);
    expect(await dns.isChangeInSync('/change/C1')).toBe(true);
    expect(r53.commandCalls(GetChangeCommand).map((call) => call.args[0].input)).toEqual([{ Id: '/change/C1' }, { Id: '/change/C1' }]);
  });

  it("names the zone's own name servers, as host:53", async () => {
    r53.on(GetHostedZoneCommand, { Id: 'Z1' }).resolves({
      HostedZone: zone('example.com', 'Z1'),
      DelegationSet: { NameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk.'] },
    });

    expect(await provider({ hostedZoneId: 'Z1' }).authoritativeNameServers({ name: NAME, value: 'v' })).toEqual([
      'ns-1.awsdns-01.org:53',
      'ns-2.awsdns-02.co.uk:53',
    ]);
  });
});

describe('Route53DnsProvider: clean-up', () => {
  const dns = () => provider({ hostedZoneId: 'Z1' });

  it('removes only its own value and keeps the other', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [txt(NAME, ['apex', 'wildcard'], 120)], IsTruncated: false, MaxItems: 1 });

    await dns().cleanUp({ name: NAME, value: 'apex' });

    expect(changeBatches()[0]?.ChangeBatch?.Changes).toEqual([
      {
        Action: 'DELETE',
        ResourceRecordSet: { Name: NAME, Type: 'TXT', TTL: 120, ResourceRecords: [{ Value: '"apex"' }, { Value: '"wildcard"' }] },
      },
      { Action: 'CREATE', ResourceRecordSet: { Name: NAME, Type: 'TXT', TTL: 120, ResourceRecords: [{ Value: '"wildcard"' }] } },
    ]);
  });

  it('deletes the record set with its exact values when its value was the last', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [txt(NAME, ['wildcard'], 300)], IsTruncated: false, MaxItems: 1 });

    await dns().cleanUp({ name: NAME, value: 'wildcard' });

    expect(changeBatches()[0]?.ChangeBatch?.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: { Name: NAME, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"wildcard"' }] } },
    ]);
  });

  it('succeeds without a change when the record or the value is already gone', async () => {
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 })
      .resolvesOnce({ ResourceRecordSets: [txt(NAME, ['someone-else'])], IsTruncated: false, MaxItems: 1 });

    await dns().cleanUp({ name: NAME, value: 'ours' });
    await dns().cleanUp({ name: NAME, value: 'ours' });

    expect(changeBatches()).toEqual([]);
  });

  it('succeeds when the record set was deleted between its read and its delete', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [txt(NAME, ['ours'])], IsTruncated: false, MaxItems: 1 });
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(invalidChangeBatch(`Tried to delete resource record set [name='${NAME}.', type='TXT'] but it was not found`));

    await expect(dns().cleanUp({ name: NAME, value: 'ours' })).resolves.toBeUndefined();
  });
});

describe('Route53DnsProvider: throttling and errors', () => {
  const dns = (options: Route53DnsProviderOptions = {}) => provider({ hostedZoneId: 'Z1', ...options });
  const throttling = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' });

  it('retries Throttling and PriorRequestNotComplete with growing, jittered backoff, then succeeds', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    r53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(
        new PriorRequestNotComplete({
          message: 'The request was rejected because Route 53 was still processing a prior request',
          $metadata: {},
        }),
      )
      .resolves({ ChangeInfo: { Id: '/change/C9', Status: 'PENDING', SubmittedAt: new Date() } });

    expect(await dns({ baseDelayMs: 100, random: () => 0.5 }).present({ name: NAME, value: 'v' })).toEqual({ changeId: '/change/C9' });

    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(3);
    // Full jitter: a random share (here half) of 100 ms, then of 200 ms.
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up after a bounded number of attempts with a retryable domain error', async () => {
    r53.on(GetChangeCommand).rejects(throttling());

    const error = await dns({ maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 2_500 })
      .isChangeInSync('/change/C1')
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CertwrightError);
    expect(error).toMatchObject({
      code: 'dependency_unavailable',
      retryable: true,
      message: 'Route 53 is throttling requests; try again later',
    });
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(4);
    expect(sleeps).toEqual([1_000, 2_000, 2_500]);
  });

  it('maps a refused change to a domain error that names neither the account nor the zone', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    const denied = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/certwright-step/x is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/Z1',
      ),
      { name: 'AccessDenied', $fault: 'client' },
    );
    r53.on(ChangeResourceRecordSetsCommand).rejects(denied);

    const error = (await dns()
      .present({ name: NAME, value: 'v' })
      .catch((caught: unknown) => caught)) as CertwrightError;

    expect(error).toBeInstanceOf(CertwrightError);
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: false });
    expect(error.message).not.toMatch(/arn:|123456789012|Z1/);
    expect(error.cause).toBe(denied);
  });

  it('treats a Route 53 server fault as retryable and a rejected change batch as not', async () => {
    r53.on(ListResourceRecordSetsCommand).rejects(Object.assign(new Error('internal'), { name: 'InternalFailure', $fault: 'server' }));
    const serverFault = await dns()
      .cleanUp({ name: NAME, value: 'v' })
      .catch((caught: unknown) => caught);
    expect(serverFault).toMatchObject({ code: 'dependency_unavailable', retryable: true, message: 'Route 53 did not answer' });

    r53.reset();
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    r53.on(ChangeResourceRecordSetsCommand).rejects(invalidChangeBatch('TXT record value is too long for zone Z1'));
    const rejected = await dns()
      .present({ name: NAME, value: 'v' })
      .catch((caught: unknown) => caught);
    expect(rejected).toMatchObject({
      code: 'dependency_unavailable',
      retryable: false,
      message: 'Route 53 rejected the TXT record change',
    });
  });
});
