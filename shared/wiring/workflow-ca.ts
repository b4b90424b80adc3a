import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoDnsZoneRepository } from '../adapters/dynamodb/dns-zone-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import { DynamoOrderBudget } from '../adapters/dynamodb/order-budget.ts';
import { MINUTE_MS } from '../domain/renewal.ts';
import { DynamoProjectRepository } from '../adapters/dynamodb/project-repository.ts';
import type { CreateOrderDeps } from '../use-cases/acme/create-order.ts';
import type { StoreStepDeps } from '../use-cases/acme/finalize.ts';
import { tableFor } from './table.ts';
import { acmeCaFor } from './ca.ts';
import { lifecycleFor } from './lifecycle.ts';
import { renewalInfoFor } from './renewal-info.ts';
import { secretStoreFor } from './secrets.ts';
import type { StepWiring } from './workflow.ts';

/** The steps that talk to the CA: create-order, complete-challenges, poll-authorizations, finalize, poll-order. */
export const orderStepDeps: StepWiring<CreateOrderDeps> = (config, ambient) => {
  const table = tableFor(config.store);
  const { documents, tableName } = table;
  return {
    acme: acmeCaFor(config.acme),
    issuance: new DynamoIssuanceRepository(documents, tableName),
    certificates: new DynamoCertificateRepository(documents, tableName),
    dnsZones: new DynamoDnsZoneRepository(documents, tableName),
    projects: new DynamoProjectRepository(documents, tableName),
    secrets: secretStoreFor(config.store, table),
    secretPrefix: config.store.secretPrefix,
    orderBudget: new DynamoOrderBudget(documents, tableName, {
      limit: config.orderRate.orderLimit,
      windowMs: config.orderRate.orderWindowMinutes * MINUTE_MS,
    }),
    clock: ambient.clock,
    newId: ambient.newId,
  };
};

/** store-certificate: the CA (the download), and the outcome announced with the CA's renewal advice. */
export const storeStepDeps: StepWiring<StoreStepDeps> = (config, ambient) => ({
  ...orderStepDeps(config, ambient),
  lifecycle: lifecycleFor(config.events),
  renewalInfo: renewalInfoFor(ambient.clock),
  random: ambient.random,
  acmeConfig: config.acme,
});
