import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import type { ChallengeDnsDeps } from '../use-cases/acme/challenges.ts';
import type { RecordFailureDeps } from '../use-cases/acme/record-failure.ts';
import type { CoreDeps } from '../use-cases/core-deps.ts';
import { tableFor } from './table.ts';
import { dnsProvidersFor } from './dns.ts';
import { secretsManagerStoreFor } from './secrets.ts';
import { failureStepDeps } from './workflow-failure.ts';
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
