import { Resolver } from 'node:dns/promises';
import { CertwrightError } from '../../../domain/errors.ts';
import type { DnsProvider, TxtRecord } from '../../../ports/dns-provider.ts';

/**
 * The local stack's DNS: pebble-challtestsrv, written through its management API and read on its DNS port.
 * `/set-txt` appends a value and `/clear-txt` drops every value of the name, so removing only our value means
 * reading the others back over DNS and setting them again (example.com and *.example.com share one name).
 */
export class ChalltestsrvDnsProvider implements DnsProvider {
  constructor(
    private readonly managementUrl: string,
    /** `host:port` of challtestsrv's DNS server. */
    private readonly dnsServer: string,
  ) {}

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    // A retried step must not add the value twice.
    if (!(await this.values(record.name)).includes(record.value))
      await this.post('/set-txt', { host: `${record.name}.`, value: record.value });
    return { changeId: null };
  }

  async isChangeInSync(): Promise<boolean> {
    return true;
  }

  async authoritativeNameServers(): Promise<string[]> {
    return [this.dnsServer];
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    const values = await this.values(record.name);
    if (!values.includes(record.value)) return;
    await this.post('/clear-txt', { host: `${record.name}.` });
    for (const other of values.filter((value) => value !== record.value))
      await this.post('/set-txt', { host: `${record.name}.`, value: other });
  }

  private async values(name: string): Promise<string[]> {
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([this.dnsServer]);
    try {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (['ENODATA', 'ENOTFOUND'].includes((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw new CertwrightError('dependency_unavailable', 'pebble-challtestsrv did not answer over DNS', { cause: error, retryable: true });
    }
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.managementUrl}${path}`, { method: 'POST', body: JSON.stringify(body) }).catch((error: unknown) => {
      throw new CertwrightError('dependency_unavailable', 'pebble-challtestsrv is not reachable', { cause: error, retryable: true });
    });
    if (!response.ok)
      throw new CertwrightError('dependency_unavailable', `pebble-challtestsrv ${path} answered HTTP ${response.status}`, {
        retryable: true,
      });
  }
}
