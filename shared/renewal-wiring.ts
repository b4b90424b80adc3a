import { DynamoOrderBudget } from './adapters/dynamodb/order-budget.ts';
import { createDocumentClient } from './adapters/dynamodb/client.ts';
import { DynamoRenewalQueue } from './adapters/dynamodb/renewal-queue.ts';
import type { RenewalConfig } from './config/renewal-config.ts';
import { systemClock } from './domain/clock.ts';
import { MINUTE_MS } from './domain/renewal.ts';
import type { RenewalStarter } from './ports/renewal-starter.ts';
import type { RenewalPlannerDeps } from './use-cases/plan-renewals.ts';
import { randomUUID } from 'node:crypto';

/** The renewal planner's adapters, chosen by configuration, created once per cold start. */
export function buildRenewalPlannerDeps(config: RenewalConfig, starter: RenewalStarter): RenewalPlannerDeps {
  const documents = createDocumentClient(config.dynamodbEndpoint);
  return {
    queue: new DynamoRenewalQueue(documents, config.tableName),
    budget: new DynamoOrderBudget(documents, config.tableName, { limit: config.orderLimit, windowMs: config.orderWindowMinutes * MINUTE_MS }),
    starter,
    clock: systemClock,
    newId: randomUUID,
    random: Math.random,
  };
}
