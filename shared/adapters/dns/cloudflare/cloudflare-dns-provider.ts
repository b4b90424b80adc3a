import Cloudflare from 'cloudflare';
import type { DnsCredentials, DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';
import { CertwrightError, ValidationError } from '../../../domain/errors.ts';
import { credentialFields, credentialsRefused, isRetryableStatus, providerFailure, withProviderRetry } from '../provider-errors.ts';
import type { ProviderBackoff } from '../provider-errors.ts';
import type { ProviderContext } from '../registry.ts';
import { findZone, nameServerAddress, normalizeDnsName } from '../zone-names.ts';

interface ZoneRef {
  id: string;
  name: string;
  nameServers: string[];
}

/** Cloudflare shows TXT content quoted in some API versions; compare values without the quotes. */
const unquote = (content: string | undefined): string => (content ?? '').replace(/^"(.*)"$/, '$1');

const saidBy = (error: InstanceType<typeof Cloudflare.APIError>): string =>
  error.errors.length > 0 ? error.errors.map((entry) => `${entry.message} (${entry.code})`).join('; ') : error.message;

/**
 * DNS-01 on Cloudflare through its official SDK, with an API token (Zone.DNS edit on the zone, Zone.Zone read to
 * find it). Each TXT value is its own DNS record at Cloudflare, so adding ours never replaces another value and
 * clean-up deletes only the record holding ours.
 */
export class CloudflareDnsProvider implements DnsProvider {
  private readonly zones = new Map<string, Promise<ZoneRef | null>>();

  constructor(
    private readonly client: Cloudflare,
    private readonly options: { zoneId?: string | undefined; ttlSeconds?: number; backoff?: ProviderBackoff },
    private readonly credentials: DnsCredentials | null,
  ) {}

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    const zone = await this.zoneFor(record.name);
    const existing = await this.ours(zone, record);
    if (existing.length === 0) {
      await this.call('add the TXT record', () =>
        this.client.dns.records.create({
          zone_id: zone.id,
          type: 'TXT',
          name: normalizeDnsName(record.name),
          content: `"${record.value}"`,
          ttl: this.options.ttlSeconds ?? 60,
          comment: 'certwright ACME DNS-01 challenge',
        }),
      );
    }
    return { changeId: null };
  }

  async isChangeInSync(): Promise<boolean> {
    return true;
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    const zone = await this.zoneFor(record.name);
    return zone.nameServers.map(nameServerAddress);
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const zone = await this.zoneFor(record.name);
    for (const id of await this.ours(zone, record)) {
      try {
        await this.call('delete the TXT record', () => this.client.dns.records.delete(id, { zone_id: zone.id }), { raw: true });
      } catch (error) {
        // Deleted meanwhile (a second clean-up): the wanted end state.
        if (error instanceof Cloudflare.NotFoundError) continue;
        throw this.failure('delete the TXT record', error);
      }
    }
  }

  /** The ids of the TXT records on the name that hold our value, across every page. */
  private async ours(zone: ZoneRef, record: TxtRecord): Promise<string[]> {
    return this.call('list the TXT records', async () => {
      const ids: string[] = [];
      for await (const found of this.client.dns.records.list({ zone_id: zone.id, type: 'TXT', name: { exact: normalizeDnsName(record.name) }, per_page: 100 })) {
        if (found.type === 'TXT' && unquote(found.content) === record.value) ids.push(found.id);
      }
      return ids;
    });
  }

  private async zoneFor(name: string): Promise<ZoneRef> {
    const key = this.options.zoneId ?? normalizeDnsName(name);
    let zone = this.zones.get(key);
    if (!zone) {
      zone = this.options.zoneId ? this.zoneById(this.options.zoneId) : findZone(name, (candidate) => this.zoneNamed(candidate));
      this.zones.set(key, zone);
      zone.catch(() => this.zones.delete(key));
    }
    const found = await zone;
    if (!found) throw new ValidationError([{ field: 'dnsCredentials', message: `No Cloudflare zone this token can read contains ${normalizeDnsName(name)}` }]);
    return found;
  }

  private zoneById(zoneId: string): Promise<ZoneRef> {
    return this.call('read the zone', async () => {
      const zone = await this.client.zones.get({ zone_id: zoneId });
      return { id: zone.id, name: zone.name, nameServers: zone.name_servers };
    });
  }

  private zoneNamed(candidate: string): Promise<ZoneRef | null> {
    return this.call('list the zones', async () => {
      for await (const zone of this.client.zones.list({ name: candidate, per_page: 50 })) {
        if (normalizeDnsName(zone.name) === candidate) return { id: zone.id, name: zone.name, nameServers: zone.name_servers };
      }
      return null;
    });
  }

  /** The shared backoff for 429, 5xx and no answer; everything else maps to our words at once. */
  private async call<T>(what: string, send: () => Promise<T>, mode: { raw?: boolean } = {}): Promise<T> {
    try {
      return await withProviderRetry(
        send,
        (error) => error instanceof Cloudflare.APIConnectionError || (error instanceof Cloudflare.APIError && isRetryableStatus(error.status ?? 0)),
        this.options.backoff,
      );
    } catch (error) {
      if (mode.raw && error instanceof Cloudflare.NotFoundError) throw error;
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): CertwrightError {
    if (error instanceof CertwrightError) return error;
    if (error instanceof Cloudflare.APIError && (error.status === 401 || error.status === 403)) {
      return credentialsRefused('cloudflare', `HTTP ${error.status}: ${saidBy(error)}`, this.credentials);
    }
    if (error instanceof Cloudflare.APIError && error.status) {
      return providerFailure('cloudflare', `did not ${what}`, {
        status: error.status,
        said: saidBy(error),
        retryable: isRetryableStatus(error.status),
        credentials: this.credentials,
      });
    }
    return providerFailure('cloudflare', `did not ${what}`, { said: 'no answer', retryable: true });
  }
}

/** `cloudflare`: credentials `apiToken`; options `zoneId` to pin the zone instead of finding it by name. */
export function cloudflareProvider(context: ProviderContext): DnsProvider {
  const { apiToken } = credentialFields('cloudflare', context.credentials, ['apiToken']);
  const client = new Cloudflare({
    apiToken,
    // Only the token: the SDK would otherwise also pick up CLOUDFLARE_API_KEY/EMAIL from the environment.
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    // Retries are the shared backoff's, so every provider waits the same way.
    maxRetries: 0,
    timeout: 10_000,
    ...(context.endpoint ? { baseURL: context.endpoint } : {}),
  });
  return new CloudflareDnsProvider(client, { zoneId: context.options.zoneId, backoff: context.backoff }, context.credentials);
}
