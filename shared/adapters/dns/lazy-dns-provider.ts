import type { DnsProvider, TxtRecord } from '../../ports/dns-provider.ts';

/**
 * A provider built on first use: its credentials are read from the secret store (and its SDK loaded) only when a
 * step actually calls it, so choosing a provider stays synchronous and cheap.
 */
export class LazyDnsProvider implements DnsProvider {
  private built: Promise<DnsProvider> | undefined;

  constructor(private readonly build: () => Promise<DnsProvider>) {}

  private provider(): Promise<DnsProvider> {
    if (!this.built) {
      this.built = this.build();
      // A failed build (secret store down) is tried again on the next call.
      this.built.catch(() => (this.built = undefined));
    }
    return this.built;
  }

  async present(record: TxtRecord): Promise<{ changeId: string | null }> {
    return (await this.provider()).present(record);
  }

  async isChangeInSync(changeId: string): Promise<boolean> {
    return (await this.provider()).isChangeInSync(changeId);
  }

  async authoritativeNameServers(record: TxtRecord): Promise<string[]> {
    return (await this.provider()).authoritativeNameServers(record);
  }

  async cleanUp(record: TxtRecord): Promise<void> {
    return (await this.provider()).cleanUp(record);
  }
}
