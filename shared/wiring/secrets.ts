import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FileSecretStore } from '../adapters/file-secrets/file-secret-store.ts';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager/secrets-manager-secret-store.ts';
import type { StoreConfig } from '../config/api-config.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** Secrets Manager in AWS; the file store when the local stack names a folder. */
export const secretStoreFor = (config: StoreConfig): SecretStore =>
  config.secretDir
    ? new FileSecretStore(config.secretDir)
    : new SecretsManagerSecretStore(new SecretsManagerClient({}), {
        kmsKeyId: config.secretKmsKeyId,
        recoveryWindowInDays: config.secretRecoveryDays,
      });
