import { loadApiConfig } from '../../shared/config/api-config.ts';
import { identityErrors } from '../../shared/dialects/identity/errors.ts';
import { identityOperations } from '../../shared/dialects/identity/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';

const config = loadApiConfig();

/** Identity: login and refresh, API tokens, users of an organization, the audit log. */
export const handler = createApiHandler({
  function: 'identity',
  errors: identityErrors,
  operations: identityOperations({ maxBodyBytes: config.maxBodyBytes }),
  init: () => buildCoreDeps(config),
});
