import { DNS } from '@google-cloud/dns';
import type { Zone } from '@google-cloud/dns';
import { CertwrightError, ValidationError } from '../../../domain/errors.ts';
import type { DnsCredentials, DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';
import { credentialFields, credentialsRefused, isRetryableStatus, providerFailure, withProviderRetry } from '../provider-errors.ts';
import type { ProviderBackoff } from '../provider-errors.ts';
import type { ProviderContext } from '../registry.ts';
import { findZone, nameServerAddress, normalizeDnsName } from '../zone-names.ts';

interface TxtSet {
  ttl: number;
  /** As Cloud DNS keeps them: each value in double quotes. */
  rrdatas: string[];
}

/** Another writer changed the set between our read and our change (a deletion that no longer matches, an addition that exists). */
const CONFLICTS = new Set([404, 409, 412]);
const MAX_CONFLICT_ROUNDS = 5;

const statusOf = (error: unknown): number => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : 0;
};

const saidBy = (error: unknown): string => {
  const errors = (error as { errors?: { reason?: string; message?: string }[] } | null)?.errors ?? [];
  const first = errors[0];
  return first ? `${first.message ?? ''}${first.reason ? ` (${first.reason})` : ''}` : error instanceof Error ? error.message : String(error);
};

const quote = (value: string): string => `"${value}"`;

/**
 * DNS-01 on Google Cloud DNS through `@google-cloud/dns`, with a service account key (role DNS Administrator on the
 * project, or a custom role with dns.managedZones.list, dns.resourceRecordSets.list/update, dns.changes.create/get).
 * Cloud DNS keeps the TXT values of a name as one record set and applies a change atomically only if its deletions
 * match what is there: so a change deletes the set just read and adds it back with ours added (or removed), and a
 * change that lost a race is read again and retried. Changes have a status, polled with `isChangeInSync`.
 */
export class GoogleDnsProvider implements DnsProvider {
  private readonly zones = new Map<string, Promise<Zone | null>>();

  constructor(
    private readonly dns: DNS,
    private readonly options: { managedZone?: string | undefined; ttlSeconds?: number; backoff?: ProviderBackoff },
    private readonly credentials: DnsCredentials | null,
  ) {}

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    const zone = await this.zoneFor(record.name);
    return { changeId: await this.changeSet(zone, record, (values) => (values.includes(quote(record.value)) ? null : [...values, quote(record.value)])) };
  }

  async isChangeInSync(changeId: string): Promise<boolean> {
    const [zoneName, id] = changeId.split('/');
    const [metadata] = await this.call('read the change', () => this.dns.zone(zoneName ?? '').change(id ?? '').getMetadata());
    return (metadata as { status?: string }).status === 'done';
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    const zone = await this.zoneFor(record.name);
    return ((zone.metadata as { nameServers?: string[] }).nameServers ?? []).map(nameServerAddress);
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const zone = await this.zoneFor(record.name);
    await this.changeSet(zone, record, (values) => (values.includes(quote(record.value)) ? values.filter((value) => value !== quote(record.value)) : null));
  }

  /** Reads the set, asks `next` for the new values (null: nothing to do), and writes compare-and-swap; `zone/id` of the change. */
  private async changeSet(zone: Zone, record: TxtRecord, next: (values: string[]) => string[] | null): Promise<string | null> {
    const name = `${normalizeDnsName(record.name)}.`;
    for (let round = 1; ; round += 1) {
      const current = await this.readTxt(zone, name);
      const values = next(current?.rrdatas ?? []);
      if (!values) return null;
      const ttl = current?.ttl ?? this.options.ttlSeconds ?? 60;
      const change = {
        ...(current ? { delete: zone.record('txt', { name, ttl: current.ttl, data: current.rrdatas }) } : {}),
        ...(values.length > 0 ? { add: zone.record('txt', { name, ttl, data: values }) } : {}),
      };
      try {
        const [created] = await this.call('change the TXT record', () => zone.createChange(change), { raw: true });
        return `${zone.name}/${created.id ?? ''}`;
      } catch (error) {
        if (!CONFLICTS.has(statusOf(error)) || round >= MAX_CONFLICT_ROUNDS) throw this.failure('change the TXT record', error);
      }
    }
  }

  private async readTxt(zone: Zone, name: string): Promise<TxtSet | null> {
    const [records] = await this.call('list the TXT records', () => zone.getRecords({ name, type: 'TXT', autoPaginate: true }));
    const found = records.find((entry) => normalizeDnsName(String((entry.metadata as { name?: string }).name ?? '')) === normalizeDnsName(name));
    if (!found) return null;
    return { ttl: Number((found.metadata as { ttl?: number }).ttl ?? 60), rrdatas: [...(found.data as string[])] };
  }

  private async zoneFor(name: string): Promise<Zone> {
    const key = this.options.managedZone ?? normalizeDnsName(name);
    let zone = this.zones.get(key);
    if (!zone) {
      zone = this.options.managedZone ? this.zoneNamed(this.options.managedZone) : this.zoneServing(name);
      this.zones.set(key, zone);
      zone.catch(() => this.zones.delete(key));
    }
    const found = await zone;
    if (!found) throw new ValidationError([{ field: 'dnsCredentials', message: `No Cloud DNS managed zone of this project contains ${normalizeDnsName(name)}` }]);
    return found;
  }

  private async zoneNamed(managedZone: string): Promise<Zone> {
    const zone = this.dns.zone(managedZone);
    await this.call('read the managed zone', () => zone.getMetadata());
    return zone;
  }

  /** The public managed zone whose dnsName is the longest suffix of the name. */
  private async zoneServing(name: string): Promise<Zone | null> {
    const [zones] = await this.call('list the managed zones', () => this.dns.getZones({ autoPaginate: true }));
    const byName = new Map<string, Zone>();
    for (const zone of zones) {
      const metadata = zone.metadata as { dnsName?: string; visibility?: string };
      if (metadata.visibility !== 'private' && metadata.dnsName) byName.set(normalizeDnsName(metadata.dnsName), zone);
    }
    return findZone(name, async (candidate) => byName.get(candidate) ?? null);
  }

  private async call<T>(what: string, send: () => Promise<T>, mode: { raw?: boolean } = {}): Promise<T> {
    try {
      return await withProviderRetry(send, (error) => statusOf(error) === 0 || isRetryableStatus(statusOf(error)), this.options.backoff);
    } catch (error) {
      if (mode.raw && CONFLICTS.has(statusOf(error))) throw error;
      throw this.failure(what, error);
    }
  }

  /** The client's errors carry the request, its Authorization header included: only the status and Google's words leave here. */
  private failure(what: string, error: unknown): CertwrightError {
    if (error instanceof CertwrightError) return error;
    const status = statusOf(error);
    if (status === 401 || status === 403) return credentialsRefused('google', `HTTP ${status}: ${saidBy(error)}`, this.credentials);
    if (status === 0) {
      // No HTTP status: the request never got an answer, or the key could not even be used to sign it.
      const said = saidBy(error);
      if (/private key|PEM|DECODER|sign/i.test(said)) return credentialsRefused('google', 'the service account key cannot sign requests', this.credentials);
      return providerFailure('google', `did not ${what}`, { said: 'no answer', retryable: true });
    }
    return providerFailure('google', `did not ${what}`, { status, said: saidBy(error), retryable: isRetryableStatus(status), credentials: this.credentials });
  }
}

/**
 * `google`: credentials `projectId` and `credentials` (the service account key JSON, as the projects dialect's obtain takes it); options
 * `managedZone` to pin the zone instead of finding it by name.
 */
export function googleProvider(context: ProviderContext): DnsProvider {
  const { projectId } = credentialFields('google', context.credentials, ['projectId']);
  const key = context.credentials?.credentials;
  const serviceAccount = (typeof key === 'string' ? safeJson(key) : key) as { client_email?: unknown; private_key?: unknown } | null;
  if (!serviceAccount || typeof serviceAccount.client_email !== 'string' || typeof serviceAccount.private_key !== 'string') {
    throw new ValidationError([{ field: 'dnsCredentials', message: 'Google Cloud DNS needs dnsCredentials.credentials: a service account key with client_email and private_key' }]);
  }
  const dns = new DNS({
    projectId,
    credentials: { client_email: serviceAccount.client_email, private_key: serviceAccount.private_key },
    // The client would retry 429 and 5xx itself (3 times, 2 to 8 s apart) on top of the shared backoff, which knows the
    // step's budget; DNS hands no retry options on, but a request's own `maxRetries` wins, so every request says 0.
    interceptors_: [{ request: (reqOpts: object) => ({ ...reqOpts, maxRetries: 0 }) }],
  } as ConstructorParameters<typeof DNS>[0]);
  // Self-signed JWTs carrying the DNS scope, as Google's generated clients sign them: no round trip to the OAuth
  // token endpoint (one request less per step), and the key is checked by the API itself.
  const auth = dns.authClient as unknown as { useJWTAccessWithScope?: boolean; defaultServicePath?: string };
  auth.useJWTAccessWithScope = true;
  auth.defaultServicePath = 'dns.googleapis.com';
  // The client builds `https://<apiEndpoint>/dns/v1`; a local fake speaks plain HTTP, so its base URL is set whole.
  if (context.endpoint) (dns as unknown as { baseUrl: string }).baseUrl = `${context.endpoint.replace(/\/$/, '')}/dns/v1`;
  return new GoogleDnsProvider(dns, { managedZone: context.options.managedZone, backoff: context.backoff }, context.credentials);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
