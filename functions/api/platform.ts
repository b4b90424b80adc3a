import { loadApiConfig } from '../../shared/config/api-config.ts';
import { platformErrors } from '../../shared/dialects/platform/errors.ts';
import { platformOperations } from '../../shared/dialects/platform/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';

const config = loadApiConfig();

/** Platform dialect (seeds 000, 002): /api/organizations/{organizationId}/certificates. */
export const handler = createApiHandler({
  function: 'platform',
  errors: platformErrors,
  operations: platformOperations({ maxBodyBytes: config.maxBodyBytes }),
  init: () => buildCoreDeps(config),
});
