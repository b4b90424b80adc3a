import { platformReplyHeaders } from '../../shared/dialects/platform/documentation-operations.ts';
import { identityErrors } from '../../shared/dialects/identity/errors.ts';
import { identityOperations } from '../../shared/dialects/identity/operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { identityApiDeps, loadApiFunctionConfig } from '../../shared/wiring/api.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();

/** Identity: login and refresh, API tokens, users of an organization, the audit log. */
export const handler = createApiHandler({
  function: 'identity',
  errors: identityErrors,
  operations: identityOperations({ maxBodyBytes: config.api.maxBodyBytes }),
  init: () => identityApiDeps(config, systemAmbient),
  // Its errors are JSON-LD problems in the platform dialect's vocabulary.
  replyHeaders: platformReplyHeaders,
});
