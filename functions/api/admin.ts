import { loadApiConfig } from '../../shared/config/api-config.ts';
import { adminErrors } from '../../shared/dialects/admin/errors.ts';
import { adminOperations } from '../../shared/dialects/admin/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';

const config = loadApiConfig();

/** Admin dialect (seeds 001, 003): /v1/organization/certificates and /v1/organization/projects/{project_id}/certificates. */
export const handler = createApiHandler({
  function: 'admin',
  errors: adminErrors,
  operations: adminOperations({ maxBodyBytes: config.maxBodyBytes }),
  init: () => buildCoreDeps(config),
});
