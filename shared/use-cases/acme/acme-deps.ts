import type { AcmeConfig } from '../../config/acme-config.ts';
import type { IssuanceSettings } from '../../domain/acme.ts';
import type { AcmeCa } from '../../ports/acme-ca.ts';
import type { DnsProvider } from '../../ports/dns-provider.ts';
import type { Http01Fetcher } from '../../ports/http01-fetcher.ts';
import type { IssuanceRepository } from '../../ports/issuance-repository.ts';
import type { WorkflowStarter } from '../../ports/workflow-starter.ts';

/** What ACME issuance adds to the core's dependencies. */
export interface AcmeDeps {
  issuance: IssuanceRepository;
  acme: AcmeCa;
  workflow: WorkflowStarter;
  acmeConfig: AcmeConfig;
  /** The DNS provider that solves dns-01 for these settings (Route 53 in AWS, in the pinned zone if any; challtestsrv locally). */
  dnsProviderFor(settings: Pick<IssuanceSettings, 'dnsProvider' | 'hostedZoneId'>): DnsProvider;
  /** Fetches HTTP-01 answers the way the CA does, for the pre-flight before an order (and the projects' checks). */
  http01: Http01Fetcher;
}
