import { acmeChallengeErrors, acmeChallengeOperations } from '../../shared/dialects/acme-challenge/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { acmeChallengeApiDeps, loadApiFunctionConfig } from '../../shared/wiring/api.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();

/** ACME HTTP-01 answers: GET /.well-known/acme-challenge/{token}, public. */
export const handler = createApiHandler({
  function: 'acme-challenge',
  errors: acmeChallengeErrors,
  operations: acmeChallengeOperations,
  init: () => acmeChallengeApiDeps(config, systemAmbient),
});
