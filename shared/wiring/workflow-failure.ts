import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import type { RecordFailureDeps } from '../use-cases/acme/record-failure.ts';
import { tableFor } from './table.ts';
import { lifecycleFor } from './lifecycle.ts';
import { secretStoreFor } from './secrets.ts';
import type { StepWiring } from './workflow.ts';

// A module of its own (not beside the DNS steps' builders): record-failure's bundle then has no DNS provider chunks.

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
