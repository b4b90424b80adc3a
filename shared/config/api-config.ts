import { DEFAULT_SECRET_PREFIX, ENV, KEY_STORES } from './env-names.ts';
import type { KeyStoreKind } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';
import { readOrderRate } from './renewal-config.ts';
import type { EnvironmentReader } from './parse-environment.ts';

/** The table and the secret store: what every function that touches certificates is configured with. */
export interface StoreConfig {
  tableName: string;
  secretPrefix: string;
  secretKmsKeyId: string | undefined;
  secretRecoveryDays: number;
  keyStore: KeyStoreKind;
  dynamodbEndpoint: string | undefined;
  secretDir: string | undefined;
}

export interface ApiConfig extends StoreConfig {
  maxBodyBytes: number;
  certificateQuota: number;
  /** New orders per ACME account per window, shared with the renewal planner (renew now spends from it). */
  orderLimit: number;
  orderWindowMinutes: number;
}

/** The table and secret store part of the environment, for the API and the workflow steps alike. */
export function readStoreConfig(read: EnvironmentReader): StoreConfig {
  return {
    tableName: read.string(ENV.tableName),
    secretPrefix: read.string(ENV.secretPrefix, DEFAULT_SECRET_PREFIX),
    secretKmsKeyId: read.optional(ENV.secretKmsKeyId),
    secretRecoveryDays: read.integer(ENV.secretRecoveryDays, { fallback: 7, min: 7, max: 30 }),
    keyStore: read.oneOf(ENV.keyStore, KEY_STORES) ?? KEY_STORES[0],
    dynamodbEndpoint: read.optionalUrl(ENV.dynamodbEndpoint),
    secretDir: read.optional(ENV.secretDir),
  };
}

/** The API functions' part of the environment. */
export const readApiConfig = (read: EnvironmentReader): ApiConfig => ({
  ...readStoreConfig(read),
  maxBodyBytes: read.integer(ENV.maxBodyBytes, { fallback: 64 * 1024, min: 1 }),
  certificateQuota: read.integer(ENV.certificateQuota, { fallback: 1000, min: 1 }),
  // The same budget (and defaults) as the renewal planner's: renew now spends from it too.
  ...readOrderRate(read),
});

/** Parses the environment once; a missing or malformed variable fails the cold start with its name. */
export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => parseEnvironment(env, readApiConfig);
