import { projectAcmeOperations } from '../../shared/dialects/projects/acme-operations.ts';
import { projectsErrors } from '../../shared/dialects/projects/errors.ts';
import { projectOperations } from '../../shared/dialects/projects/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { loadApiFunctionConfig } from '../../shared/wiring/api.ts';
import { dnsCheckingApiDeps } from '../../shared/wiring/api-dns-checks.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();
const options = { maxBodyBytes: config.api.maxBodyBytes };

/** Projects dialect: /api/v1/projects/{id}/certificate. Each group of operations adds its spread here. */
export const handler = createApiHandler({
  function: 'projects',
  errors: projectsErrors,
  operations: { ...projectOperations(options), ...projectAcmeOperations(options) },
  init: () => dnsCheckingApiDeps(config, systemAmbient),
});
