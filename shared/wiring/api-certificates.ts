import { DynamoActivationRepository } from '../adapters/dynamodb/activation-repository.ts';
import { DynamoCertificateRepository } from '../adapters/dynamodb/certificate-repository.ts';
import { DynamoDnsZoneRepository } from '../adapters/dynamodb/dns-zone-repository.ts';
import { DynamoHostnameMappingRepository } from '../adapters/dynamodb/hostname-mapping-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import { DynamoOrderBudget } from '../adapters/dynamodb/order-budget.ts';
import { DynamoProjectRepository } from '../adapters/dynamodb/project-repository.ts';
import { MINUTE_MS } from '../domain/renewal.ts';
import type { CertificateApiDeps } from '../use-cases/core-deps.ts';
import { handlerDeps } from './api.ts';
import type { ApiFunctionConfig } from './api.ts';
import type { Ambient } from './basics.ts';
import { tableFor } from './table.ts';
import { acmeCaOnFirstUse } from './ca-on-first-use.ts';
import { lifecycleFor } from './lifecycle.ts';
import { renewalInfoFor } from './renewal-info.ts';
import { workflowStarterFor } from './workflow-starter.ts';

/** The platform and admin dialects: certificates, projects, activations, and ACME to start and revoke; no DNS provider. */
export function certificateApiDeps(config: ApiFunctionConfig, ambient: Ambient): CertificateApiDeps {
  const table = tableFor(config.api);
  const { documents, tableName } = table;
  const api = config.api;
  return {
    ...handlerDeps(api, ambient, table),
    random: ambient.random,
    certificates: new DynamoCertificateRepository(documents, tableName, { certificateQuota: api.certificateQuota }),
    activations: new DynamoActivationRepository(documents, tableName),
    projects: new DynamoProjectRepository(documents, tableName),
    hostnameMappings: new DynamoHostnameMappingRepository(documents, tableName),
    dnsZones: new DynamoDnsZoneRepository(documents, tableName),
    orderBudget: new DynamoOrderBudget(documents, tableName, { limit: api.orderLimit, windowMs: api.orderWindowMinutes * MINUTE_MS }),
    issuance: new DynamoIssuanceRepository(documents, tableName),
    acme: acmeCaOnFirstUse(config.acme),
    workflow: workflowStarterFor(config.acme),
    acmeConfig: config.acme,
    lifecycle: lifecycleFor(config.events),
    renewalInfo: renewalInfoFor(ambient.clock),
  };
}
