import { lazyPort } from '../adapters/lazy-port.ts';
import { DynamoAttemptsInFlight } from '../adapters/dynamodb/attempts-in-flight.ts';
import { localExecutionMonitor } from '../adapters/local-workflow/local-workflow-starter.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { ENV } from '../config/env-names.ts';
import type { ExecutionMonitor } from '../ports/execution-monitor.ts';
import type { SweeperDeps } from '../use-cases/acme/sweep-attempts.ts';
import type { Ambient } from './basics.ts';
import { tableFor } from './table.ts';
import { endedExecutionDeps } from './workflow-dns.ts';
import type { WorkflowConfig } from './workflow.ts';

/**
 * The composition root of the attempt sweeper: what execution-ended takes (it records a lost execution the same
 * way), the in-flight index, and the engine to ask. It runs with the workflow steps' configuration. `executions`:
 * the local stack passes its runner's monitor.
 */
export function sweeperDeps(config: WorkflowConfig, ambient: Ambient, executions?: ExecutionMonitor): Omit<SweeperDeps, 'onSweepError'> {
  const table = tableFor(config.store);
  return {
    ...endedExecutionDeps(config, ambient, table),
    inFlight: new DynamoAttemptsInFlight(table.documents, table.tableName),
    executions: executions ?? executionMonitorFor(config.acme, Boolean(config.store.dynamodbEndpoint)),
  };
}

function executionMonitorFor({ stateMachineArn }: AcmeConfig, local: boolean): ExecutionMonitor {
  // A local stack without Pebble has no runner and so nothing running: the local monitor says so for every attempt.
  if (stateMachineArn === 'local' || (!stateMachineArn && local)) return localExecutionMonitor;
  if (!stateMachineArn) throw new Error(`The attempt sweeper needs the issuance state machine (${ENV.issuanceStateMachineArn})`);
  // Loaded when the sweeper first finds an attempt in flight to ask about (most sweeps find none).
  return lazyPort(async () => (await import('./step-functions.ts')).sfnExecutionMonitor(stateMachineArn), ['describe']);
}
