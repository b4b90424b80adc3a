import { z } from 'zod';
import { DEFAULT_SECRET_PREFIX, ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';

const schema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.secretPrefix]: z.string().min(1).default(DEFAULT_SECRET_PREFIX),
  [ENV.secretKmsKeyId]: z.string().optional(),
  [ENV.secretRecoveryDays]: z.coerce.number().int().min(7).max(30).default(7),
  [ENV.dynamodbEndpoint]: z.string().url().optional(),
  [ENV.secretDir]: z.string().optional(),
  [ENV.maxBodyBytes]: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  [ENV.certificateQuota]: z.coerce.number().int().positive().default(1000),
  // The same budget (and defaults) as the renewal planner's: renew now spends from it too.
  [ENV.renewalOrderLimit]: z.coerce.number().int().positive().default(300),
  [ENV.renewalOrderWindowMinutes]: z.coerce.number().int().positive().default(180),
});

export interface ApiConfig {
  tableName: string;
  secretPrefix: string;
  secretKmsKeyId: string | undefined;
  secretRecoveryDays: number;
  dynamodbEndpoint: string | undefined;
  secretDir: string | undefined;
  maxBodyBytes: number;
  certificateQuota: number;
  /** New orders per ACME account per window, shared with the renewal planner (renew now spends from it). */
  orderLimit: number;
  orderWindowMinutes: number;
}

/** Parses the environment once; a missing or malformed variable fails the cold start with its name. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const values = parseEnvironment(schema, env);
  return {
    tableName: values[ENV.tableName],
    secretPrefix: values[ENV.secretPrefix],
    secretKmsKeyId: values[ENV.secretKmsKeyId],
    secretRecoveryDays: values[ENV.secretRecoveryDays],
    dynamodbEndpoint: values[ENV.dynamodbEndpoint],
    secretDir: values[ENV.secretDir],
    maxBodyBytes: values[ENV.maxBodyBytes],
    certificateQuota: values[ENV.certificateQuota],
    orderLimit: values[ENV.renewalOrderLimit],
    orderWindowMinutes: values[ENV.renewalOrderWindowMinutes],
  };
}
