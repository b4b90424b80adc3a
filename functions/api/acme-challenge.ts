import { loadApiConfig } from '../../shared/config/api-config.ts';
import { acmeChallengeErrors, acmeChallengeOperations } from '../../shared/dialects/acme-challenge/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';

const config = loadApiConfig();

/** ACME HTTP-01 answers: GET /.well-known/acme-challenge/{token}, public. */
export const handler = createApiHandler({
  function: 'acme-challenge',
  errors: acmeChallengeErrors,
  operations: acmeChallengeOperations,
  init: () => buildCoreDeps(config),
});
