import { randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoActivationRepository } from './adapters/dynamodb/activation-repository.ts';
import { DynamoAuditLog } from './adapters/dynamodb/audit-log.ts';
import { DynamoCertificateRepository } from './adapters/dynamodb/certificate-repository.ts';
import { createDocumentClient } from './adapters/dynamodb/client.ts';
import { DynamoHostnameMappingRepository } from './adapters/dynamodb/hostname-mapping-repository.ts';
import { DynamoIdentityRepository } from './adapters/dynamodb/identity-repository.ts';
import { DynamoOrderBudget } from './adapters/dynamodb/order-budget.ts';
import { DynamoProjectRepository } from './adapters/dynamodb/project-repository.ts';
import { FileSecretStore } from './adapters/file-secrets/file-secret-store.ts';
import { SecretsManagerSecretStore } from './adapters/secrets-manager/secrets-manager-secret-store.ts';
import { buildAcmeDeps } from './acme-wiring.ts';
import { buildLifecycleDeps } from './renewal-wiring.ts';
import type { ApiConfig } from './config/api-config.ts';
import { systemClock } from './domain/clock.ts';
import { MINUTE_MS } from './domain/renewal.ts';
import type { CoreDeps } from './use-cases/core-deps.ts';

/** The composition root: real adapters chosen by configuration, created once per cold start. */
export function buildCoreDeps(config: ApiConfig): CoreDeps {
  const documents = createDocumentClient(config.dynamodbEndpoint);
  const secrets = config.secretDir
    ? new FileSecretStore(config.secretDir)
    : new SecretsManagerSecretStore(new SecretsManagerClient({}), {
        kmsKeyId: config.secretKmsKeyId,
        recoveryWindowInDays: config.secretRecoveryDays,
      });
  return {
    certificates: new DynamoCertificateRepository(documents, config.tableName, { certificateQuota: config.certificateQuota }),
    activations: new DynamoActivationRepository(documents, config.tableName),
    identity: new DynamoIdentityRepository(documents, config.tableName),
    audit: new DynamoAuditLog(documents, config.tableName),
    projects: new DynamoProjectRepository(documents, config.tableName),
    hostnameMappings: new DynamoHostnameMappingRepository(documents, config.tableName),
    secrets,
    orderBudget: new DynamoOrderBudget(documents, config.tableName, { limit: config.orderLimit, windowMs: config.orderWindowMinutes * MINUTE_MS }),
    clock: systemClock,
    newId: randomUUID,
    secretPrefix: config.secretPrefix,
    ...buildAcmeDeps(documents, config.tableName),
    ...buildLifecycleDeps(),
  };
}
