import { dnsZoneOperations } from '../../shared/dialects/platform/dns-zone-operations.ts';
import { documentationOperations, platformReplyHeaders } from '../../shared/dialects/platform/documentation-operations.ts';
import { platformErrors } from '../../shared/dialects/platform/errors.ts';
import { hostnameMappingOperations } from '../../shared/dialects/platform/hostname-mapping-operations.ts';
import { platformOperations } from '../../shared/dialects/platform/operations.ts';
import { platformProjectOperations } from '../../shared/dialects/platform/project-operations.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { loadApiFunctionConfig } from '../../shared/wiring/api.ts';
import { dnsCheckingApiDeps } from '../../shared/wiring/api-dns-checks.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';

const config = loadApiFunctionConfig();
const options = { maxBodyBytes: config.api.maxBodyBytes };

/**
 * Platform dialect: certificates, projects, hostname mappings and DNS zones under /api/organizations/{organizationId},
 * and the JSON-LD contexts and Hydra documentation its replies point to.
 */
export const handler = createApiHandler({
  function: 'platform',
  errors: platformErrors,
  operations: {
    ...platformOperations(options),
    ...platformProjectOperations(options),
    ...hostnameMappingOperations(options),
    ...dnsZoneOperations(options),
    ...documentationOperations(),
  },
  replyHeaders: platformReplyHeaders,
  init: () => dnsCheckingApiDeps(config, systemAmbient),
});
