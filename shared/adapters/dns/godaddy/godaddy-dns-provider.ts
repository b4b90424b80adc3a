import { ValidationError } from '../../../domain/errors.ts';
import type { DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';
import { JsonApi, messageOf } from '../json-api.ts';
import { credentialFields } from '../provider-errors.ts';
import type { ProviderContext } from '../registry.ts';
import { findZone, nameServerAddress, normalizeDnsName, relativeName } from '../zone-names.ts';

interface GoDaddyRecord {
  type: string;
  name: string;
  data: string;
  ttl?: number;
}

const API = 'https://api.godaddy.com';

/**
 * DNS-01 on GoDaddy (Domains API v1) with an API key and secret (`Authorization: sso-key key:secret`). GoDaddy keeps
 * the TXT values of a name as one set: PATCH adds records beside those there, while PUT and DELETE act on the whole
 * set of a type and name. So `present` PATCHes ours in, and `cleanUp` PUTs back the others (or DELETEs the set
 * when ours was the last), read just before: values of others are never dropped.
 */
export class GoDaddyDnsProvider implements DnsProvider {
  private readonly domains = new Map<string, Promise<{ name: string; nameServers: string[] } | null>>();

  constructor(
    private readonly api: JsonApi,
    private readonly options: { domain?: string | undefined; ttlSeconds?: number },
  ) {}

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    const domain = await this.domainFor(record.name);
    const name = relativeName(record.name, domain.name);
    if ((await this.values(domain.name, name)).includes(record.value)) return { changeId: null };
    // GoDaddy's smallest TTL is 600 s.
    await this.api.request('add the TXT record', 'PATCH', `/v1/domains/${domain.name}/records`, {
      body: [{ type: 'TXT', name, data: record.value, ttl: Math.max(600, this.options.ttlSeconds ?? 600) }],
    });
    return { changeId: null };
  }

  async isChangeInSync(): Promise<boolean> {
    return true;
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    const domain = await this.domainFor(record.name);
    return domain.nameServers.map(nameServerAddress);
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const domain = await this.domainFor(record.name);
    const name = relativeName(record.name, domain.name);
    const values = await this.values(domain.name, name);
    if (!values.includes(record.value)) return;
    const rest = values.filter((value) => value !== record.value);
    const path = `/v1/domains/${domain.name}/records/TXT/${encodeURIComponent(name)}`;
    // A 404 on DELETE (the set is gone already) is the wanted end state.
    if (rest.length === 0) await this.api.request('delete the TXT record', 'DELETE', path);
    else await this.api.request('remove the TXT value', 'PUT', path, { body: rest.map((data) => ({ data, ttl: 600 })) });
  }

  /** The TXT values of a name, page after page (`offset`/`limit`) until an empty page. */
  private async values(domain: string, name: string): Promise<string[]> {
    const all: string[] = [];
    for (let offset = 0; ; ) {
      const { body } = await this.api.request<GoDaddyRecord[]>('list the TXT records', 'GET', `/v1/domains/${domain}/records/TXT/${encodeURIComponent(name)}`, {
        query: { offset, limit: 500 },
      });
      const page = body ?? [];
      all.push(...page.filter((found) => found.type === 'TXT').map((found) => found.data));
      if (page.length === 0) return all;
      offset += page.length;
    }
  }

  private async domainFor(recordName: string): Promise<{ name: string; nameServers: string[] }> {
    const key = this.options.domain ? normalizeDnsName(this.options.domain) : normalizeDnsName(recordName);
    let domain = this.domains.get(key);
    if (!domain) {
      const read = async (candidate: string) => {
        const { status, body } = await this.api.request<{ domain: string; nameServers?: string[] }>('read the domain', 'GET', `/v1/domains/${candidate}`);
        return status === 404 || !body ? null : { name: candidate, nameServers: body.nameServers ?? [] };
      };
      domain = this.options.domain ? read(key) : findZone(recordName, read);
      this.domains.set(key, domain);
      domain.catch(() => this.domains.delete(key));
    }
    const found = await domain;
    if (!found) throw new ValidationError([{ field: 'dnsCredentials', message: `No GoDaddy domain of this account contains ${normalizeDnsName(recordName)}` }]);
    return found;
  }
}

/** `godaddy`: credentials `apiKey` and `apiSecret`; options `domain` to pin the domain instead of finding it by name. */
export function goDaddyProvider(context: ProviderContext): DnsProvider {
  const { apiKey, apiSecret } = credentialFields('godaddy', context.credentials, ['apiKey', 'apiSecret']);
  const api = new JsonApi({
    provider: 'godaddy',
    baseUrl: context.endpoint ?? API,
    headers: { authorization: `sso-key ${apiKey}:${apiSecret}` },
    credentials: context.credentials,
    said: messageOf,
    backoff: context.backoff,
  });
  return new GoDaddyDnsProvider(api, { domain: context.options.domain });
}
