import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import type { Http01ProbeDeps } from '../use-cases/acme/http01-preflight.ts';
import type { CoreDeps } from '../use-cases/core-deps.ts';
import { http01FetcherFor } from './http01.ts';
import { tableFor } from './table.ts';
import type { StepWiring } from './workflow.ts';

/** preflight-http-01: the certificate and its settings, the probe's challenge record, and the HTTP-01 fetch; no CA, no DNS. */
export const preflightStepDeps: StepWiring<Http01ProbeDeps & Pick<CoreDeps, 'certificates'>> = (config, ambient) => {
  const { documents, tableName } = tableFor(config.store);
  return {
    certificates: new DynamoCertificateRepository(documents, tableName),
    issuance: new DynamoIssuanceRepository(documents, tableName),
    http01: http01FetcherFor(config.acme),
    clock: ambient.clock,
    newId: ambient.newId,
  };
};
