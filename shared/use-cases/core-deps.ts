import type { Clock } from '../domain/clock.ts';
import type { ActivationRepository } from '../ports/activation-repository.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { CertificateRepository } from '../ports/certificate-repository.ts';
import type { DnsZoneRepository } from '../ports/dns-zone-repository.ts';
import type { HostnameMappingRepository } from '../ports/hostname-mapping-repository.ts';
import type { IdentityRepository } from '../ports/identity-repository.ts';
import type { OrderBudget } from '../ports/order-budget.ts';
import type { ProjectRepository } from '../ports/project-repository.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { AcmeDeps } from './acme/acme-deps.ts';
import type { RenewalInfoClient } from '../ports/renewal-info.ts';
import type { LifecycleDeps } from './announce-outcome.ts';

/** What the use cases need; wired once per cold start. */
export interface CoreDeps extends AcmeDeps {
  certificates: CertificateRepository;
  projects: ProjectRepository;
  hostnameMappings: HostnameMappingRepository;
  activations: ActivationRepository;
  identity: IdentityRepository;
  /** The DNS zones each organization may certify names under (DNS-01). */
  dnsZones: DnsZoneRepository;
  /** Who wrote what, when and from where; recorded by createApiHandler for every successful write. */
  audit: AuditLog;
  secrets: SecretStore;
  /** The CA's new-order budget per ACME account, the renewal planner's: renew now spends from it too. */
  orderBudget: OrderBudget;
  clock: Clock;
  newId: () => string;
  /** Randomness (jitter, renewal moments), injected like the clock so that tests can seed it. */
  random: () => number;
  /** Every secret name starts with this, so IAM can limit access by prefix. */
  secretPrefix: string;
  /** Lifecycle events and metrics (issued, renewed, renewal failed); absent where nothing listens (tests). */
  lifecycle?: LifecycleDeps;
  /** The CA's renewal advice (ACME Renewal Information), asked right after a certificate is stored. */
  renewalInfo?: RenewalInfoClient;
}

/** What the identity use cases take: users and tokens, the audit log, and the JWT signing key's secret. */
export type IdentityDeps = Pick<CoreDeps, 'identity' | 'audit' | 'clock' | 'newId' | 'secrets' | 'secretPrefix'>;

/** What the platform and admin dialects take: everything but a DNS provider (only obtaining a project's certificate checks DNS). */
export type CertificateApiDeps = Omit<CoreDeps, 'dnsProviderFor' | 'http01'>;
