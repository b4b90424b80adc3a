import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import type { ChallengeDnsDeps } from '../use-cases/acme/challenges.ts';
import type { RecordFailureDeps } from '../use-cases/acme/record-failure.ts';
import type { CoreDeps } from '../use-cases/core-deps.ts';
import { tableFor } from './table.ts';
import { dnsProvidersFor } from './dns.ts';
import { lifecycleFor } from './lifecycle.ts';
import { secretStoreFor, secretsManagerStoreFor } from './secrets.ts';
import type { StepWiring } from './workflow.ts';

/** check-propagation and clean-up: the attempt's challenge records, the DNS provider, and the certificate's progress; no CA. */
export const dnsStepDeps: StepWiring<ChallengeDnsDeps & Pick<CoreDeps, 'certificates'>> = (config, ambient) => {
  const { documents, tableName } = tableFor(config.store);
  return {
    certificates: new DynamoCertificateRepository(documents, tableName),
    issuance: new DynamoIssuanceRepository(documents, tableName),
    dnsProviderFor: dnsProvidersFor(config.acme, secretsManagerStoreFor(config.store)),
    clock: ambient.clock,
  };
};

/** record-failure: the certificate, the attempt's key, the announcement; no CA, no DNS. */
export const failureStepDeps: StepWiring<RecordFailureDeps> = (config, ambient, table = tableFor(config.store)) => {
  const { documents, tableName } = table;
  return {
    certificates: new DynamoCertificateRepository(documents, tableName),
    secrets: secretStoreFor(config.store, table),
    secretPrefix: config.store.secretPrefix,
    lifecycle: lifecycleFor(config.events),
    clock: ambient.clock,
    random: ambient.random,
  };
};

/** execution-ended: record-failure's and clean-up's dependencies together, each adapter once. */
export const endedExecutionDeps: StepWiring<RecordFailureDeps & Pick<CoreDeps, 'issuance' | 'dnsProviderFor'>> = (
  config,
  ambient,
  table = tableFor(config.store),
) => {
  return {
    ...failureStepDeps(config, ambient, table),
    issuance: new DynamoIssuanceRepository(table.documents, table.tableName),
    dnsProviderFor: dnsProvidersFor(config.acme, secretsManagerStoreFor(config.store)),
  };
};
