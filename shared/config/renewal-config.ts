import { z } from 'zod';
import { ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';

const schema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.dynamodbEndpoint]: z.string().url().optional(),
  [ENV.renewalOrderLimit]: z.coerce.number().int().positive().default(300),
  [ENV.renewalOrderWindowMinutes]: z.coerce.number().int().positive().default(180),
  [ENV.renewalMaxPerRun]: z.coerce.number().int().positive().max(10_000).default(50),
  [ENV.expiryNoticeDays]: z.coerce.number().int().min(1).max(365).default(30),
  [ENV.eventsFile]: z.string().optional(),
});

export interface RenewalConfig {
  tableName: string;
  dynamodbEndpoint: string | undefined;
  /** New orders per ACME account per window; Let's Encrypt allows 300 per 3 hours. */
  orderLimit: number;
  orderWindowMinutes: number;
  /** Most due certificates one planner run reads and starts; a backlog is spread over runs. */
  maxPerRun: number;
  /** "Approaching expiration" events start this many days before expiry. */
  expiryNoticeDays: number;
  /** Local stack: append events to this file instead of EventBridge. */
  eventsFile: string | undefined;
}

/** Parses the scheduled functions' environment once; a malformed variable fails the cold start with its name. */
export function loadRenewalConfig(env: NodeJS.ProcessEnv = process.env): RenewalConfig {
  const values = parseEnvironment(schema, env);
  return {
    tableName: values[ENV.tableName],
    dynamodbEndpoint: values[ENV.dynamodbEndpoint],
    orderLimit: values[ENV.renewalOrderLimit],
    orderWindowMinutes: values[ENV.renewalOrderWindowMinutes],
    maxPerRun: values[ENV.renewalMaxPerRun],
    expiryNoticeDays: values[ENV.expiryNoticeDays],
    eventsFile: values[ENV.eventsFile],
  };
}

/** Where lifecycle events go, for functions that announce outcomes (the workflow steps): a file, or EventBridge. */
export function loadEventsConfig(env: NodeJS.ProcessEnv = process.env): { eventsFile: string | undefined; local: boolean } {
  const eventsFile = env[ENV.eventsFile] || undefined;
  return { eventsFile, local: Boolean(env[ENV.dynamodbEndpoint]) };
}
