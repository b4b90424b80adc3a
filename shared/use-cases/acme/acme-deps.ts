import type { AcmeConfig } from '../../config/acme-config.ts';
import type { AcmeCa } from '../../ports/acme-ca.ts';
import type { DnsCredentials, DnsProvider, DnsProviderChoice } from '../../ports/dns-provider.ts';
import type { ResolveCname } from './challenge-name.ts';
import type { IssuanceRepository } from '../../ports/issuance-repository.ts';
import type { WorkflowStarter } from '../../ports/workflow-starter.ts';

/** What ACME issuance adds to the core's dependencies. */
export interface AcmeDeps {
  issuance: IssuanceRepository;
  acme: AcmeCa;
  workflow: WorkflowStarter;
  acmeConfig: AcmeConfig;
  /**
   * The DNS provider that solves dns-01 for these settings: by name, with its options, and its credentials read from
   * the secret store by reference (or given inline, only while obtain checks them before storing them).
   */
  dnsProviderFor(settings: DnsProviderChoice, inlineCredentials?: DnsCredentials): DnsProvider;
  /** Where CNAMEs of `_acme-challenge` names are looked up; the system resolver when absent. */
  resolveCname?: ResolveCname;
}
