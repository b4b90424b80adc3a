import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import type { Change, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { CertwrightError } from '../../../domain/errors.ts';
import type { DnsCredentials, DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';
import { retryWithBackoff } from '../../retry-with-backoff.ts';
import { credentialsRefused } from '../provider-errors.ts';
import { nameServerAddress, zoneCandidates } from '../zone-names.ts';

export interface Route53DnsProviderOptions {
  /** Use this hosted zone instead of looking one up by name (a project can pin its zone). */
  hostedZoneId?: string | undefined;
  /**
   * The user's own access key (the projects dialect's `accessKeyId`/`secretAccessKey`) rather than the deployment's role: then a
   * refusal is the user's credentials refused (a 422 naming Route 53), and these values never reach a message.
   */
  userCredentials?: DnsCredentials | null | undefined;
  /** TTL of a TXT record we create; an existing record keeps its own. */
  ttlSeconds?: number;
  /** Attempts per Route 53 call while it answers Throttling or PriorRequestNotComplete. */
  maxAttempts?: number;
  /** First backoff; doubled per attempt, capped at `maxDelayMs`, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Seams for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface HostedZoneRef {
  id: string;
  name: string;
}

interface TxtRecordSet {
  ttl: number;
  /** As Route 53 keeps them: each value in double quotes. */
  values: string[];
}

const DEFAULTS = { ttlSeconds: 60, maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 3_000 };

/** Change batches that raced with another writer are read again and retried this many times. */
const MAX_CONFLICT_ROUNDS = 5;

/** What AWS answers for a key that is wrong, expired or not allowed. */
const REFUSED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
]);

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'TooManyRequestsException']);

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');

const errorText = (error: unknown): string => {
  if (!(error instanceof Error)) return '';
  const messages = (error as { messages?: unknown }).messages;
  return [error.message, ...(Array.isArray(messages) ? messages : [])].join('\n');
};

/** A DELETE whose record set is not there any more: for clean-up, that is the wanted end state. */
const isRecordGone = (error: unknown): boolean => errorName(error) === 'InvalidChangeBatch' && /not found/i.test(errorText(error));

/**
 * Another writer changed the record set between our read and our write: a DELETE with stale values, or a
 * CREATE of a set someone else just created. The change batch is atomic, so nothing was applied.
 */
const isConcurrentChange = (error: unknown): boolean =>
  errorName(error) === 'InvalidChangeBatch' && /(do not match|already exists|not found)/i.test(errorText(error));

/** Route 53's messages name zones, accounts and ARNs; only our own words leave the adapter, the SDK error is the cause. */
const failure = (error: unknown, userCredentials?: DnsCredentials | null): CertwrightError => {
  if (error instanceof CertwrightError) return error;
  const name = errorName(error);
  if (userCredentials && REFUSED.has(name)) return credentialsRefused('aws', `${name}: ${errorText(error)}`, userCredentials);
  if (THROTTLED.has(name)) {
    return new CertwrightError('dependency_unavailable', 'Route 53 is throttling requests; try again later', {
      cause: error,
      retryable: true,
    });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new CertwrightError('dependency_unavailable', 'Route 53 refused the request: the role may not change this record', {
      cause: error,
    });
  }
  if (name === 'NoSuchHostedZone') {
    return new CertwrightError('bad_request', 'The configured Route 53 hosted zone does not exist', { cause: error });
  }
  if (name === 'NoSuchChange') {
    return new CertwrightError('dependency_unavailable', 'Route 53 does not know this change', { cause: error });
  }
  if (name === 'InvalidChangeBatch' || name === 'InvalidInput') {
    return new CertwrightError('dependency_unavailable', 'Route 53 rejected the TXT record change', { cause: error });
  }
  const serverFault = (error as { $fault?: unknown } | null)?.$fault === 'server';
  return new CertwrightError('dependency_unavailable', 'Route 53 did not answer', {
    cause: error,
    // Server faults and network errors (no $fault: the request never got an answer) are worth another try.
    retryable: serverFault || !(error instanceof Error && '$fault' in error),
  });
};

/** Lower case, no trailing dot, and Route 53's octal escapes (`\052` is `*`) turned back into characters. */
const normalizeName = (name: string): string =>
  name
    .replace(/\\(\d{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .replace(/\.$/, '')
    .toLowerCase();

const quote = (value: string): string => `"${value}"`;

/** `/hostedzone/Z123` and `Z123` name the same zone; the API accepts both, we keep the short form. */
const zoneIdOf = (id: string): string => id.replace(/^\/hostedzone\//, '');


/**
 * DNS-01 on Route 53. Writes are compare-and-swap: a change batch DELETEs the record set with the exact values
 * just read and CREATEs the new set, so two solvers writing the same name (example.com and *.example.com at
 * once) cannot overwrite each other's value as a read-then-UPSERT could; a batch that lost the race is
 * rejected as a whole, and we read again and retry.
 */
export class Route53DnsProvider implements DnsProvider {
  private readonly options: Required<Omit<Route53DnsProviderOptions, 'hostedZoneId' | 'userCredentials'>> &
    Pick<Route53DnsProviderOptions, 'hostedZoneId' | 'userCredentials'>;
  /** Per candidate zone name: the public zone of that name, or null. Zones rarely change; an instance lives one Lambda container. */
  private readonly zonesByName = new Map<string, Promise<HostedZoneRef | null>>();
  private readonly nameServersByZone = new Map<string, Promise<string[]>>();

  constructor(
    private readonly client: Route53Client,
    options: Route53DnsProviderOptions = {},
  ) {
    this.options = {
      ...DEFAULTS,
      sleep: (ms) => delay(ms).then(() => undefined),
      random: Math.random,
      ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    };
  }

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    const zoneId = await this.zoneIdFor(record.name);
    const ours = quote(record.value);
    for (let round = 1; ; round += 1) {
      const current = await this.readTxt(zoneId, record.name);
      const values = current ? [...new Set([...current.values, ours])] : [ours];
      const changes: Change[] = [];
      if (current) changes.push(this.change('DELETE', record.name, current.ttl, current.values));
      changes.push(this.change('CREATE', record.name, current?.ttl ?? this.options.ttlSeconds, values));
      try {
        return { changeId: await this.applyChanges(zoneId, changes) };
      } catch (error) {
        if (!isConcurrentChange(error) || round >= MAX_CONFLICT_ROUNDS) throw failure(error, this.options.userCredentials);
      }
    }
  }

  async isChangeInSync(changeId: string): Promise<boolean> {
    const { ChangeInfo } = await this.call(() => this.client.send(new GetChangeCommand({ Id: changeId })));
    return ChangeInfo?.Status === 'INSYNC';
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    const zoneId = await this.zoneIdFor(record.name);
    let nameServers = this.nameServersByZone.get(zoneId);
    if (!nameServers) {
      nameServers = this.call(() => this.client.send(new GetHostedZoneCommand({ Id: zoneId }))).then(({ DelegationSet }) =>
        (DelegationSet?.NameServers ?? []).map(nameServerAddress),
      );
      this.nameServersByZone.set(zoneId, nameServers);
      nameServers.catch(() => this.nameServersByZone.delete(zoneId));
    }
    return nameServers;
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const zoneId = await this.zoneIdFor(record.name);
    const ours = quote(record.value);
    for (let round = 1; ; round += 1) {
      const current = await this.readTxt(zoneId, record.name);
      if (!current?.values.includes(ours)) return;
      const rest = current.values.filter((value) => value !== ours);
      const changes = [this.change('DELETE', record.name, current.ttl, current.values)];
      if (rest.length > 0) changes.push(this.change('CREATE', record.name, current.ttl, rest));
      try {
        await this.applyChanges(zoneId, changes);
        return;
      } catch (error) {
        // Deleted by someone else in between (a second clean-up of the same attempt): already done.
        if (isRecordGone(error) && rest.length === 0) return;
        if (!isConcurrentChange(error) || round >= MAX_CONFLICT_ROUNDS) throw failure(error, this.options.userCredentials);
      }
    }
  }

  private change(action: 'CREATE' | 'DELETE', name: string, ttl: number, values: string[]): Change {
    return {
      Action: action,
      ResourceRecordSet: { Name: name, Type: 'TXT', TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) },
    };
  }

  /** Returns Route 53's change id. Errors are left raw for the caller to classify; throttling is retried here. */
  private async applyChanges(zoneId: string, changes: Change[]): Promise<string> {
    const { ChangeInfo } = await this.call(
      () =>
        this.client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Comment: 'certwright ACME DNS-01 challenge', Changes: changes },
          }),
        ),
      { raw: true },
    );
    if (!ChangeInfo?.Id) throw new CertwrightError('dependency_unavailable', 'Route 53 returned no change id', { retryable: true });
    return ChangeInfo.Id;
  }

  /** The TXT record set of exactly this name (a simple record: no routing policy), or null when there is none. */
  private async readTxt(zoneId: string, name: string): Promise<TxtRecordSet | null> {
    const { ResourceRecordSets } = await this.call(() =>
      this.client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: 'TXT', MaxItems: 1 }),
      ),
    );
    const wanted = normalizeName(name);
    const found = (ResourceRecordSets ?? []).find(
      (set: ResourceRecordSet) => set.Type === 'TXT' && !set.SetIdentifier && normalizeName(set.Name ?? '') === wanted,
    );
    if (!found) return null;
    return {
      ttl: found.TTL ?? this.options.ttlSeconds,
      values: (found.ResourceRecords ?? []).flatMap((record) => (record.Value ? [record.Value] : [])),
    };
  }

  private async zoneIdFor(name: string): Promise<string> {
    if (this.options.hostedZoneId) return zoneIdOf(this.options.hostedZoneId);
    for (const candidate of zoneCandidates(normalizeName(name))) {
      const zone = await this.publicZoneNamed(candidate);
      if (zone) return zone.id;
    }
    throw new CertwrightError('bad_request', `No public Route 53 hosted zone contains ${normalizeName(name)}`);
  }

  private publicZoneNamed(candidate: string): Promise<HostedZoneRef | null> {
    let zone = this.zonesByName.get(candidate);
    if (!zone) {
      zone = this.findPublicZone(candidate);
      this.zonesByName.set(candidate, zone);
      // A failed lookup is not an answer: the next call asks again.
      zone.catch(() => this.zonesByName.delete(candidate));
    }
    return zone;
  }

  /**
   * ListHostedZonesByName lists zones in order of their reversed labels starting at DNSName, so zones named
   * exactly `candidate` come first; a public and private zone can share a name, hence the pagination.
   */
  private async findPublicZone(candidate: string): Promise<HostedZoneRef | null> {
    let page: { DNSName: string; HostedZoneId?: string | undefined } = { DNSName: candidate };
    for (;;) {
      const response = await this.call(() => this.client.send(new ListHostedZonesByNameCommand({ ...page, MaxItems: 100 })));
      for (const zone of response.HostedZones ?? []) {
        if (normalizeName(zone.Name ?? '') !== candidate) return null;
        if (!zone.Config?.PrivateZone && zone.Id) return { id: zoneIdOf(zone.Id), name: candidate };
      }
      if (!response.IsTruncated || !response.NextDNSName) return null;
      page = { DNSName: response.NextDNSName, HostedZoneId: response.NextHostedZoneId };
    }
  }

  /**
   * Route 53 allows five requests per second per account and answers PriorRequestNotComplete while an earlier
   * change to the same set is applied: both pass within a short while, so they are retried here, with
   * exponential backoff and full jitter, a bounded number of times. Then the error is a retryable domain
   * error, for the workflow's own Retry with its longer waits.
   */
  private async call<T>(send: () => Promise<T>, mode: { raw?: boolean } = {}): Promise<T> {
    try {
      return await retryWithBackoff(send, { ...this.options, retryable: (error) => THROTTLED.has(errorName(error)) });
    } catch (error) {
      throw mode.raw && !THROTTLED.has(errorName(error)) && !REFUSED.has(errorName(error)) ? error : failure(error, this.options.userCredentials);
    }
  }
}
