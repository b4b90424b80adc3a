import { platformReplyHeaders } from '../../shared/dialects/platform/documentation-operations.ts';
import { identityErrors } from '../../shared/dialects/identity/errors.ts';
import { operatorOperations } from '../../shared/dialects/operator/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { loadApiFunctionConfig, operatorApiDeps } from '../../shared/wiring/api.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();

/** The operator's API: organizations, their first tokens, suspension, and grants of the deployment's own DNS zones. */
export const handler = createApiHandler({
  function: 'operator',
  errors: identityErrors,
  operations: operatorOperations({ maxBodyBytes: config.api.maxBodyBytes }),
  init: () => operatorApiDeps(config, systemAmbient),
  // Its errors are JSON-LD problems in the platform dialect's vocabulary.
  replyHeaders: platformReplyHeaders,
});
