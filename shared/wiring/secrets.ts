import { join } from 'node:path';
import { EnvelopeKeyStore } from '../adapters/envelope/envelope-key-store.ts';
import { FileSecretStore } from '../adapters/file-secrets/file-secret-store.ts';
import { lazyPort } from '../adapters/lazy-port.ts';
import { LocalDataKeys } from '../adapters/local-kms/local-data-keys.ts';
import type { StoreConfig } from '../config/api-config.ts';
import type { DataKeys } from '../ports/data-keys.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Table } from './table.ts';

/** Where the local KMS stand-in keeps its master key: beside the secret files, readable by the owner only. */
export const localMasterKeyFile = (secretDir: string): string => join(secretDir, 'local-kms-master.key');

/**
 * Secrets Manager in AWS; the file store when the local stack names a folder. Secrets that are not certificate keys
 * (DNS provider credentials, ACME account keys) live here whichever key store the deployment chose. The Secrets Manager
 * client is loaded (a chunk of the Lambda bundle) when a secret is first read or written: several functions need one
 * only on some paths (the DNS steps: only for a zone with credentials; Route 53 through the role has none), and the
 * others pay a few ms on their first request instead of at start.
 */
export function secretsManagerStoreFor(config: StoreConfig): SecretStore {
  if (config.secretDir) return new FileSecretStore(config.secretDir);
  return lazyPort(async () => (await import('./secrets-manager.ts')).secretsManagerStore(config), ['put', 'create', 'get', 'delete']);
}

/**
 * KMS data keys under the deployment's key in AWS (the KMS client loaded on first use: a function bundles it as a
 * chunk it reads only with the envelope key store); the local stand-in when the local stack names a folder.
 */
export function dataKeysFor(config: StoreConfig): DataKeys {
  if (config.secretDir) return new LocalDataKeys(localMasterKeyFile(config.secretDir));
  const keyId = config.secretKmsKeyId;
  if (!keyId) throw new Error('Invalid configuration: CERTWRIGHT_SECRET_KMS_KEY_ID (the envelope key store needs the KMS key)');
  return lazyPort(async () => (await import('./kms.ts')).kmsDataKeys(keyId), ['generate', 'unwrap']);
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
