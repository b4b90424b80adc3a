import { adminErrors } from '../../shared/dialects/admin/errors.ts';
import { adminOperations } from '../../shared/dialects/admin/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { loadApiFunctionConfig } from '../../shared/wiring/api.ts';
import { certificateApiDeps } from '../../shared/wiring/api-certificates.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();

/** Admin dialect: /v1/organization/certificates and /v1/organization/projects/{project_id}/certificates. */
export const handler = createApiHandler({
  function: 'admin',
  errors: adminErrors,
  operations: adminOperations({ maxBodyBytes: config.api.maxBodyBytes }),
  init: () => certificateApiDeps(config, systemAmbient),
});
