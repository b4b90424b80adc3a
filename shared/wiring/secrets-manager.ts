import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager/secrets-manager-secret-store.ts';
import type { StoreConfig } from '../config/api-config.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** Secrets Manager under the deployment's key. A module of its own, so that a function may load it on first use. */
export const secretsManagerStore = (config: StoreConfig): SecretStore =>
  new SecretsManagerSecretStore(new SecretsManagerClient({}), {
    kmsKeyId: config.secretKmsKeyId,
    recoveryWindowInDays: config.secretRecoveryDays,
  });
