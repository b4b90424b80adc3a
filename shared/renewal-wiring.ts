import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AriClient } from './adapters/ari/ari-client.ts';
import { DynamoCertificateRepository } from './adapters/dynamodb/certificate-repository.ts';
import { DynamoExpiryIndex } from './adapters/dynamodb/expiry-index.ts';
import { EventBridgeEventPublisher } from './adapters/eventbridge/eventbridge-event-publisher.ts';
import { FileEventPublisher } from './adapters/local-events/file-event-publisher.ts';
import { EmfLifecycleMetrics } from './adapters/powertools/emf-lifecycle-metrics.ts';
import type { EventPublisher } from './ports/event-publisher.ts';
import type { IssuanceRepository } from './ports/issuance-repository.ts';
import type { RenewalInfoClient } from './ports/renewal-info.ts';
import type { DueRenewal } from './ports/renewal-queue.ts';
import type { LifecycleDeps } from './use-cases/announce-outcome.ts';
import type { ExpiryNoticeDeps } from './use-cases/expiry-notices.ts';
import { refreshRenewalAdvice } from './use-cases/refresh-renewal-advice.ts';
import { DynamoOrderBudget } from './adapters/dynamodb/order-budget.ts';
import { createDocumentClient } from './adapters/dynamodb/client.ts';
import { DynamoRenewalQueue } from './adapters/dynamodb/renewal-queue.ts';
import { loadEventsConfig } from './config/renewal-config.ts';
import type { RenewalConfig } from './config/renewal-config.ts';
import { systemClock } from './domain/clock.ts';
import { MINUTE_MS } from './domain/renewal.ts';
import type { RenewalStarter } from './ports/renewal-starter.ts';
import type { RenewalPlannerDeps } from './use-cases/plan-renewals.ts';

/**
 * The renewal planner's adapters, chosen by configuration, created once per cold start. With the issuance
 * repository (where each certificate's CA directory is), ARI re-checks are made too.
 */
export function buildRenewalPlannerDeps(config: RenewalConfig, starter: RenewalStarter, issuance?: IssuanceRepository): RenewalPlannerDeps {
  const documents = createDocumentClient(config.dynamodbEndpoint);
  const refresh = issuance
    ? {
        certificates: new DynamoCertificateRepository(documents, config.tableName),
        issuance,
        renewalInfo: new AriClient({ clock: systemClock, timeoutMs: 5_000 }),
        clock: systemClock,
        random: Math.random,
      }
    : null;
  return {
    queue: new DynamoRenewalQueue(documents, config.tableName),
    budget: new DynamoOrderBudget(documents, config.tableName, {
      limit: config.orderLimit,
      windowMs: config.orderWindowMinutes * MINUTE_MS,
    }),
    starter,
    clock: systemClock,
    newId: randomUUID,
    random: Math.random,
    ...(refresh ? { refreshAdvice: (item: DueRenewal) => refreshRenewalAdvice(refresh, item) } : {}),
  };
}

/** The daily expiry notices' adapters: EventBridge in AWS, a JSON-lines file when `eventsFile` is set (local stack). */
export function buildExpiryNoticeDeps(config: RenewalConfig): ExpiryNoticeDeps {
  const documents = createDocumentClient(config.dynamodbEndpoint);
  return {
    expiry: new DynamoExpiryIndex(documents, config.tableName),
    certificates: new DynamoCertificateRepository(documents, config.tableName),
    events: eventPublisherFor(config),
    metrics: new EmfLifecycleMetrics(),
    clock: systemClock,
  };
}

export const eventPublisherFor = (config: Pick<RenewalConfig, 'eventsFile'>): EventPublisher =>
  config.eventsFile ? new FileEventPublisher(config.eventsFile) : new EventBridgeEventPublisher(new EventBridgeClient({}));

/**
 * Lifecycle announcements for the core (the workflow's store and failure steps). Off on a local stack without an
 * events file (the tests), so nothing there reaches for AWS credentials.
 */
export function buildLifecycleDeps(env: NodeJS.ProcessEnv = process.env): { lifecycle?: LifecycleDeps; renewalInfo: RenewalInfoClient } {
  const config = loadEventsConfig(env);
  // ARI (RFC 9773) advice on when to renew; a CA without it (Pebble) leaves the lifetime rule in charge.
  const renewalInfo = new AriClient({ clock: systemClock, timeoutMs: 5_000 });
  if (config.local && !config.eventsFile) return { renewalInfo };
  return { lifecycle: { events: eventPublisherFor(config), metrics: new EmfLifecycleMetrics() }, renewalInfo };
}
