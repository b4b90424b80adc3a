import type { DnsProvider } from '../../ports/dns-provider.ts';
import { lazyPort } from '../lazy-port.ts';

/**
 * A provider built on first use: its credentials are read from the secret store (and its SDK loaded) only when a
 * step actually calls it, so choosing a provider stays synchronous and cheap.
 */
export const lazyDnsProvider = (build: () => Promise<DnsProvider>): DnsProvider =>
  lazyPort(build, ['present', 'isChangeInSync', 'authoritativeNameServers', 'cleanUp']);
