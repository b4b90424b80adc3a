import { DynamoAuditLog } from '../adapters/dynamodb/audit-log.ts';
import { DynamoDnsZoneRepository } from '../adapters/dynamodb/dns-zone-repository.ts';
import { DynamoIdentityRepository } from '../adapters/dynamodb/identity-repository.ts';
import { DynamoIssuanceRepository } from '../adapters/dynamodb/issuance-repository.ts';
import { readAcmeConfig } from '../config/acme-config.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { readApiConfig } from '../config/api-config.ts';
import type { ApiConfig } from '../config/api-config.ts';
import { parseEnvironment } from '../config/parse-environment.ts';
import { readEventsConfig } from '../config/renewal-config.ts';
import type { EventsConfig } from '../config/renewal-config.ts';
import type { ApiHandlerDeps } from '../http/api-handler.ts';
import type { CoreDeps } from '../use-cases/core-deps.ts';
import type { OperatorDeps } from '../use-cases/operator.ts';
import type { Ambient } from './basics.ts';
import type { Table } from './table.ts';
import { tableFor } from './table.ts';
import { secretStoreFor } from './secrets.ts';

/**
 * The composition root of the API functions. Every one authenticates and audits (ApiHandlerDeps); the identity
 * dialect needs nothing more, the HTTP-01 answer only the challenge records, and the certificate dialects the
 * certificate ports and ACME (api-certificates.ts, a module of its own so that only they bundle the CA client).
 * Each function's entry calls its one builder, once, on its first request.
 */
export interface ApiFunctionConfig {
  api: ApiConfig;
  acme: AcmeConfig;
  events: EventsConfig;
}

/** An API function's environment, parsed once at load; a malformed variable fails it with its name. */
export const loadApiFunctionConfig = (env: NodeJS.ProcessEnv = process.env): ApiFunctionConfig =>
  parseEnvironment(env, (read) => ({ api: readApiConfig(read), acme: readAcmeConfig(read), events: readEventsConfig(read) }));

/** Credentials and the audit log, on the function's one table client. */
export function handlerDeps(config: ApiConfig, ambient: Ambient, table: Table): ApiHandlerDeps {
  const { documents, tableName } = table;
  return {
    identity: new DynamoIdentityRepository(documents, tableName),
    audit: new DynamoAuditLog(documents, tableName),
    secrets: secretStoreFor(config, table),
    secretPrefix: config.secretPrefix,
    clock: ambient.clock,
    newId: ambient.newId,
  };
}

/** The identity dialect: login, tokens, users and the audit log take nothing beyond what every function has. */
export const identityApiDeps = (config: ApiFunctionConfig, ambient: Ambient): ApiHandlerDeps =>
  handlerDeps(config.api, ambient, tableFor(config.api));

/** The operator's API: identity (organizations, tokens) and the zones it grants; no secrets beyond what every function reads. */
export function operatorApiDeps(config: ApiFunctionConfig, ambient: Ambient): OperatorDeps {
  const table = tableFor(config.api);
  return { ...handlerDeps(config.api, ambient, table), dnsZones: new DynamoDnsZoneRepository(table.documents, table.tableName), acmeConfig: config.acme };
}

/** The HTTP-01 answers: the challenge records (the route is public; the handler's own ports stay unused). */
export function acmeChallengeApiDeps(config: ApiFunctionConfig, ambient: Ambient): ApiHandlerDeps & Pick<CoreDeps, 'issuance'> {
  const table = tableFor(config.api);
  return { ...handlerDeps(config.api, ambient, table), issuance: new DynamoIssuanceRepository(table.documents, table.tableName) };
}
