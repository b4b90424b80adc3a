import { ValidationError } from '../../../domain/errors.ts';
import type { DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';
import { JsonApi, messageOf } from '../json-api.ts';
import { credentialFields } from '../provider-errors.ts';
import type { ProviderContext } from '../registry.ts';
import { findZone, nameServerAddress, normalizeDnsName } from '../zone-names.ts';

interface DomainRecord {
  id: number;
  type: string;
  name: string;
  data: string;
  ttl: number;
}

interface RecordPage {
  domain_records?: DomainRecord[];
  links?: { pages?: { next?: string } };
}

const API = 'https://api.digitalocean.com';

/**
 * DNS-01 on DigitalOcean (API v2, "Domain Records"), with a personal access token (custom scopes `domain:read`,
 * `domain:create`, `domain:delete`). Each TXT value is its own record, so ours is added beside any other and
 * clean-up deletes only the record holding ours.
 */
export class DigitalOceanDnsProvider implements DnsProvider {
  private readonly domains = new Map<string, Promise<string | null>>();

  constructor(
    private readonly api: JsonApi,
    private readonly options: { domain?: string | undefined; ttlSeconds?: number },
  ) {}

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    const domain = await this.domainFor(record.name);
    if ((await this.records(domain, 'TXT', record.name)).some((found) => found.data === record.value)) return { changeId: null };
    const name = normalizeDnsName(record.name);
    await this.api.request('add the TXT record', 'POST', `/v2/domains/${domain}/records`, {
      // DigitalOcean takes the name relative to the domain, `@` for the apex; 30 s is its smallest TTL.
      body: { type: 'TXT', name: name === domain ? '@' : name.slice(0, -(domain.length + 1)), data: record.value, ttl: Math.max(30, this.options.ttlSeconds ?? 60) },
    });
    return { changeId: null };
  }

  async isChangeInSync(): Promise<boolean> {
    return true;
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    const domain = await this.domainFor(record.name);
    return (await this.records(domain, 'NS', domain)).map((found) => nameServerAddress(found.data));
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const domain = await this.domainFor(record.name);
    for (const found of await this.records(domain, 'TXT', record.name)) {
      // A 404 (deleted meanwhile) is the wanted end state: JsonApi hands it back without throwing.
      if (found.data === record.value) await this.api.request('delete the TXT record', 'DELETE', `/v2/domains/${domain}/records/${found.id}`);
    }
  }

  /** Every record of a type on a fully qualified name, page after page (`links.pages.next` says there is one more). */
  private async records(domain: string, type: string, name: string): Promise<DomainRecord[]> {
    const all: DomainRecord[] = [];
    for (let page = 1; ; page += 1) {
      const { body } = await this.api.request<RecordPage>('list the records', 'GET', `/v2/domains/${domain}/records`, {
        query: { type, name: normalizeDnsName(name), page, per_page: 200 },
      });
      all.push(...(body?.domain_records ?? []).filter((found) => found.type === type));
      if (!body?.links?.pages?.next || (body.domain_records ?? []).length === 0) return all;
    }
  }

  private async domainFor(name: string): Promise<string> {
    if (this.options.domain) return normalizeDnsName(this.options.domain);
    const key = normalizeDnsName(name);
    let domain = this.domains.get(key);
    if (!domain) {
      domain = findZone(name, async (candidate) => {
        const { status } = await this.api.request('read the domain', 'GET', `/v2/domains/${candidate}`);
        return status === 404 ? null : candidate;
      });
      this.domains.set(key, domain);
      domain.catch(() => this.domains.delete(key));
    }
    const found = await domain;
    if (!found) throw new ValidationError([{ field: 'dnsCredentials', message: `No DigitalOcean domain this token can read contains ${key}` }]);
    return found;
  }
}

/** `digitalocean`: credentials `apiToken`; options `domain` to pin the domain instead of finding it by name. */
export function digitalOceanProvider(context: ProviderContext): DnsProvider {
  const { apiToken } = credentialFields('digitalocean', context.credentials, ['apiToken']);
  const api = new JsonApi({
    provider: 'digitalocean',
    baseUrl: context.endpoint ?? API,
    headers: { authorization: `Bearer ${apiToken}` },
    credentials: context.credentials,
    said: messageOf,
    backoff: context.backoff,
  });
  return new DigitalOceanDnsProvider(api, { domain: context.options.domain });
}
