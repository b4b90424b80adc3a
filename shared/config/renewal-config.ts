import { DEFAULT_PLANNER_SCHEDULE } from '../domain/renewal.ts';
import { ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';
import type { EnvironmentReader } from './parse-environment.ts';

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
  /** The `stage` dimension of the lifecycle metrics. */
  stage: string;
}

/**
 * New orders per ACME account per window (Let's Encrypt: 300 per 180 minutes): one budget, spent by the planner,
 * the API (first issuances, renew now) and create-order (an exempt renewal the CA counted after all).
 */
export const readOrderRate = (read: EnvironmentReader): { orderLimit: number; orderWindowMinutes: number } => ({
  orderLimit: read.integer(ENV.renewalOrderLimit, { fallback: 300, min: 1 }),
  orderWindowMinutes: read.integer(ENV.renewalOrderWindowMinutes, { fallback: 180, min: 1 }),
});

/** Parses the scheduled functions' environment once; a malformed variable fails the cold start with its name. */
export const loadRenewalConfig = (env: NodeJS.ProcessEnv = process.env): RenewalConfig => parseEnvironment(env, readRenewalConfig);

/** The scheduled functions' part of the environment. */
export const readRenewalConfig = (read: EnvironmentReader): RenewalConfig => ({
  tableName: read.string(ENV.tableName),
  dynamodbEndpoint: read.optionalUrl(ENV.dynamodbEndpoint),
  ...readOrderRate(read),
  maxPerRun: read.integer(ENV.renewalMaxPerRun, { fallback: DEFAULT_PLANNER_SCHEDULE.maxPerRun, min: 1, max: 10_000 }),
  expiryNoticeDays: read.integer(ENV.expiryNoticeDays, { fallback: 30, min: 1, max: 365 }),
  eventsFile: read.optional(ENV.eventsFile),
  stage: readStage(read),
});

const readStage = (read: EnvironmentReader): string => read.optional(ENV.stage) || 'local';

export interface EventsConfig {
  eventsFile: string | undefined;
  /** On the local stack (DynamoDB Local): without an events file, lifecycle announcements are off. */
  local: boolean;
  /** The `stage` dimension of the lifecycle metrics. */
  stage: string;
}

/** Where lifecycle events go, for functions that announce outcomes (the workflow steps): a file, or EventBridge. */
export function readEventsConfig(read: EnvironmentReader): EventsConfig {
  return { eventsFile: read.optional(ENV.eventsFile) || undefined, local: Boolean(read.optional(ENV.dynamodbEndpoint)), stage: readStage(read) };
}

export function loadEventsConfig(env: NodeJS.ProcessEnv = process.env): EventsConfig {
  return parseEnvironment(env, readEventsConfig);
}
