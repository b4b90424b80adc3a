import { loadApiConfig } from '../../shared/config/api-config.ts';
import { projectAcmeOperations } from '../../shared/dialects/projects/acme-operations.ts';
import { projectsErrors } from '../../shared/dialects/projects/errors.ts';
import { projectOperations } from '../../shared/dialects/projects/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';

const config = loadApiConfig();
const options = { maxBodyBytes: config.maxBodyBytes };

/** Projects dialect (seed 004): /api/v1/projects/{id}/certificate. Each group of operations adds its spread here. */
export const handler = createApiHandler({
  function: 'projects',
  errors: projectsErrors,
  operations: { ...projectOperations(options), ...projectAcmeOperations(options) },
  init: () => buildCoreDeps(config),
});
