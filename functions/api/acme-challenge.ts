import { acmeChallengeErrors, acmeChallengeOperations } from '../../shared/dialects/acme-challenge/operations.ts';
import { referenceOperations } from '../../shared/dialects/reference/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { acmeChallengeApiDeps, loadApiFunctionConfig } from '../../shared/wiring/api.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();

/**
 * The public routes: ACME HTTP-01 answers (GET /.well-known/acme-challenge/{token}) and the API reference
 * (GET /openapi.json, GET /docs). The function reads challenge items and nothing else.
 */
export const handler = createApiHandler({
  function: 'acme-challenge',
  errors: acmeChallengeErrors,
  operations: { ...acmeChallengeOperations, ...referenceOperations },
  init: () => acmeChallengeApiDeps(config, systemAmbient),
});
