import type { AcmeConfig } from '../../config/acme-config.ts';
import type { DnsZoneTarget } from '../../domain/dns-zone.ts';
import type { AcmeCa } from '../../ports/acme-ca.ts';
import type { DnsCredentials, DnsProvider } from '../../ports/dns-provider.ts';
import type { Http01Fetcher } from '../../ports/http01-fetcher.ts';
import type { IssuanceRepository } from '../../ports/issuance-repository.ts';
import type { WorkflowStarter } from '../../ports/workflow-starter.ts';

/** What ACME issuance adds to the core's dependencies. */
export interface AcmeDeps {
  issuance: IssuanceRepository;
  acme: AcmeCa;
  workflow: WorkflowStarter;
  acmeConfig: AcmeConfig;
  /**
   * The DNS provider that solves dns-01 in a zone: chosen by the zone's provider, configured by its provider options,
   * with its credentials read from the secret store by name (the deployment's own DNS without; see shared/wiring/dns.ts),
   * or given inline only while a projects obtain checks them before storing them.
   */
  dnsProviderFor(zone: DnsZoneTarget, inlineCredentials?: DnsCredentials): DnsProvider;
  /** Fetches HTTP-01 answers the way the CA does, for the pre-flight before an order (and the projects' checks). */
  http01: Http01Fetcher;
}
