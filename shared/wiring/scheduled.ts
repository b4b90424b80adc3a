import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoExpiryIndex } from '../adapters/dynamodb/expiry-index.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import { DynamoOrderBudget } from '../adapters/dynamodb/order-budget.ts';
import { DynamoRenewalQueue } from '../adapters/dynamodb/renewal-queue.ts';
import { EmfLifecycleMetrics } from '../adapters/powertools/emf-lifecycle-metrics.ts';
import { readAcmeConfig } from '../config/acme-config.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { parseEnvironment } from '../config/parse-environment.ts';
import { readRenewalConfig } from '../config/renewal-config.ts';
import type { RenewalConfig } from '../config/renewal-config.ts';
import { MINUTE_MS } from '../domain/renewal.ts';
import type { DueRenewal } from '../ports/renewal-queue.ts';
import type { ExpiryNoticeDeps } from '../use-cases/expiry-notices.ts';
import type { RenewalPlannerDeps } from '../use-cases/plan-renewals.ts';
import { refreshRenewalAdvice } from '../use-cases/refresh-renewal-advice.ts';
import { workflowStarterFor } from './workflow-starter.ts';
import type { Ambient } from './basics.ts';
import { tableFor } from './table.ts';
import { eventPublisherFor } from './lifecycle.ts';
import { renewalInfoFor } from './renewal-info.ts';

/** The composition root of the scheduled jobs (renewal planner, expiry notices): each builds only its own ports. */
export interface PlannerConfig {
  renewal: RenewalConfig;
  /** Where renewals start: the issuance state machine (the API's own ACME settings, of which only that is used). */
  acme: AcmeConfig;
}

/** The planner's environment, parsed once per function. */
export const loadPlannerConfig = (env: NodeJS.ProcessEnv = process.env): PlannerConfig =>
  parseEnvironment(env, (read) => ({ renewal: readRenewalConfig(read), acme: readAcmeConfig(read) }));

/**
 * The renewal planner: the due index, the order budget, the workflow it starts renewals with, and the ARI re-checks
 * (the certificate, its CA directory, the CA's renewalInfo). No CA client: ARI is a plain GET.
 */
export function plannerDeps(config: PlannerConfig, ambient: Ambient): RenewalPlannerDeps {
  const { documents, tableName } = tableFor(config.renewal);
  const workflow = workflowStarterFor(config.acme);
  const refresh = {
    certificates: new DynamoCertificateRepository(documents, tableName),
    issuance: new DynamoIssuanceRepository(documents, tableName),
    renewalInfo: renewalInfoFor(ambient.clock),
    clock: ambient.clock,
    random: ambient.random,
  };
  return {
    queue: new DynamoRenewalQueue(documents, tableName),
    budget: new DynamoOrderBudget(documents, tableName, {
      limit: config.renewal.orderLimit,
      windowMs: config.renewal.orderWindowMinutes * MINUTE_MS,
    }),
    // Renewals go through the issuance workflow (an `acme_renew` attempt), started the way an issuance is.
    starter: { startRenewal: (input) => workflow.startIssuance(input) },
    clock: ambient.clock,
    newId: ambient.newId,
    random: ambient.random,
    refreshAdvice: (item: DueRenewal) => refreshRenewalAdvice(refresh, item),
  };
}

/** The daily expiry notices: the expiry index, the certificates, EventBridge (a file locally) and EMF metrics. */
export function expiryNoticeDeps(config: RenewalConfig, ambient: Pick<Ambient, 'clock'>): ExpiryNoticeDeps {
  const { documents, tableName } = tableFor(config);
  return {
    expiry: new DynamoExpiryIndex(documents, tableName),
    certificates: new DynamoCertificateRepository(documents, tableName),
    events: eventPublisherFor(config),
    metrics: new EmfLifecycleMetrics(config.stage),
    clock: ambient.clock,
  };
}
