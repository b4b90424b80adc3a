import { readAcmeConfig } from '../config/acme-config.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { readStoreConfig } from '../config/api-config.ts';
import type { StoreConfig } from '../config/api-config.ts';
import { parseEnvironment } from '../config/parse-environment.ts';
import { readEventsConfig, readOrderRate } from '../config/renewal-config.ts';
import type { EventsConfig } from '../config/renewal-config.ts';
import type { Clock } from '../domain/clock.ts';
import type { Ambient } from './basics.ts';
import type { Table } from './table.ts';
/**
 * The composition root of the issuance workflow's steps: their configuration, and one builder per kind of step.
 * Each step's entry passes the builder that makes what its use case takes, from a module that imports only those
 * adapters (workflow-ca.ts: the steps that talk to the CA; workflow-present.ts: the one that also writes DNS records;
 * workflow-dns.ts: the DNS steps and execution-ended; workflow-failure.ts: record-failure),
 * so a step's bundle holds nothing else: no acme-client where the CA is never called, no Route 53 where no record
 * is written.
 */
export interface WorkflowConfig {
  store: StoreConfig;
  acme: AcmeConfig;
  events: EventsConfig;
  /** The new-order budget per ACME account (create-order counts an exempt renewal the CA counted after all). */
  orderRate: { orderLimit: number; orderWindowMinutes: number };
}

/** The workflow steps' environment, parsed once per function; a malformed variable fails it with its name. */
export const loadWorkflowConfig = (env: NodeJS.ProcessEnv = process.env): WorkflowConfig =>
  parseEnvironment(env, (read) => ({
    store: readStoreConfig(read),
    acme: readAcmeConfig(read),
    events: readEventsConfig(read),
    orderRate: readOrderRate(read),
  }));

/** Builds a step's dependencies from its configuration, once per container (`table`: a client already made). */
export type StepWiring<D> = (config: WorkflowConfig, ambient: Ambient, table?: Table) => D;

/** plan-rate-limit-wait reads only the clock. */
export const clockStepDeps: StepWiring<{ clock: Clock }> = (_config, ambient) => ({ clock: ambient.clock });
