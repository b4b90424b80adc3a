import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EnvelopeKeyStore } from '../adapters/envelope/envelope-key-store.ts';
import { FileSecretStore } from '../adapters/file-secrets/file-secret-store.ts';
import { KmsDataKeys } from '../adapters/kms/kms-data-keys.ts';
import { LocalDataKeys } from '../adapters/local-kms/local-data-keys.ts';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager/secrets-manager-secret-store.ts';
import type { StoreConfig } from '../config/api-config.ts';
import type { DataKeys } from '../ports/data-keys.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Table } from './table.ts';

/** Where the local KMS stand-in keeps its master key: beside the secret files, readable by the owner only. */
export const localMasterKeyFile = (secretDir: string): string => join(secretDir, 'local-kms-master.key');

/**
 * Secrets Manager in AWS; the file store when the local stack names a folder. Secrets that are not certificate keys
 * (DNS provider credentials, ACME account keys) live here whichever key store the deployment chose.
 */
export const secretsManagerStoreFor = (config: StoreConfig): SecretStore =>
  config.secretDir
    ? new FileSecretStore(config.secretDir)
    : new SecretsManagerSecretStore(new SecretsManagerClient({}), {
        kmsKeyId: config.secretKmsKeyId,
        recoveryWindowInDays: config.secretRecoveryDays,
      });

/** KMS data keys under the deployment's key in AWS; the local stand-in when the local stack names a folder. */
export function dataKeysFor(config: StoreConfig): DataKeys {
  if (config.secretDir) return new LocalDataKeys(localMasterKeyFile(config.secretDir));
  if (!config.secretKmsKeyId) throw new Error('Invalid configuration: CERTWRIGHT_SECRET_KMS_KEY_ID (the envelope key store needs the KMS key)');
  return new KmsDataKeys(new KMSClient({}), config.secretKmsKeyId);
}

/** The key store the deployment chose (`certwright:keyStore`); other secrets stay in Secrets Manager either way. */
export function secretStoreFor(config: StoreConfig, table: Table): SecretStore {
  const secrets = secretsManagerStoreFor(config);
  if (config.keyStore !== 'envelope') return secrets;
  return new EnvelopeKeyStore(table.documents, dataKeysFor(config), secrets, {
    tableName: table.tableName,
    secretPrefix: config.secretPrefix,
    recoveryWindowInDays: config.secretRecoveryDays,
  });
}
