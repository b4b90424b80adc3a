import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import type { ChallengeDnsDeps } from '../use-cases/acme/challenges.ts';
import type { CreateOrderDeps } from '../use-cases/acme/create-order.ts';
import type { StoreStepDeps } from '../use-cases/acme/finalize.ts';
import type { CoreDeps } from '../use-cases/core-deps.ts';
import { tableFor } from './table.ts';
import { acmeCaFor } from './ca.ts';
import { cnameLookupFor, dnsProvidersFor } from './dns.ts';
import { lifecycleFor } from './lifecycle.ts';
import { renewalInfoFor } from './renewal-info.ts';
import { secretStoreFor } from './secrets.ts';
import type { StepWiring } from './workflow.ts';

/** The steps that talk to the CA: create-order, complete-challenges, poll-authorizations, finalize, poll-order. */
export const orderStepDeps: StepWiring<CreateOrderDeps> = (config, ambient) => {
  const { documents, tableName } = tableFor(config.store);
  return {
    acme: acmeCaFor(config.acme),
    issuance: new DynamoIssuanceRepository(documents, tableName),
    certificates: new DynamoCertificateRepository(documents, tableName),
    secrets: secretStoreFor(config.store),
    secretPrefix: config.store.secretPrefix,
    clock: ambient.clock,
    newId: ambient.newId,
  };
};

/** present-challenges: the CA (for the challenges' values) and the DNS provider. */
export const presentStepDeps: StepWiring<CreateOrderDeps & ChallengeDnsDeps & Pick<CoreDeps, 'resolveCname'>> = (config, ambient) => {
  const deps = orderStepDeps(config, ambient);
  const resolveCname = cnameLookupFor(config.acme);
  return { ...deps, dnsProviderFor: dnsProvidersFor(config.acme, deps.secrets), ...(resolveCname ? { resolveCname } : {}) };
};

/** store-certificate: the CA (the download), and the outcome announced with the CA's renewal advice. */
export const storeStepDeps: StepWiring<StoreStepDeps> = (config, ambient) => ({
  ...orderStepDeps(config, ambient),
  lifecycle: lifecycleFor(config.events),
  renewalInfo: renewalInfoFor(ambient.clock),
  random: ambient.random,
});
