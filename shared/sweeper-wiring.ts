import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoAttemptsInFlight } from './adapters/dynamodb/attempts-in-flight.ts';
import { createDocumentClient } from './adapters/dynamodb/client.ts';
import { localExecutionMonitor } from './adapters/local-workflow/local-workflow-starter.ts';
import { SfnExecutionMonitor } from './adapters/step-functions/sfn-execution-monitor.ts';
import type { ApiConfig } from './config/api-config.ts';
import { loadAcmeConfig } from './config/acme-config.ts';
import type { ExecutionMonitor } from './ports/execution-monitor.ts';
import type { SweeperDeps } from './use-cases/acme/sweep-attempts.ts';
import { buildCoreDeps } from './wiring.ts';

/**
 * The attempt sweeper: the core (to record a failure as the workflow would), the in-flight index, and the engine to
 * ask: Step Functions, or the local runner (`executions` given: the local stack, with or without Pebble).
 */
export function buildSweeperDeps(config: ApiConfig, executions?: ExecutionMonitor): SweeperDeps {
  executions ??= executionMonitorFor(loadAcmeConfig().stateMachineArn, Boolean(config.dynamodbEndpoint));
  return {
    ...buildCoreDeps(config),
    inFlight: new DynamoAttemptsInFlight(createDocumentClient(config.dynamodbEndpoint), config.tableName),
    executions,
  };
}

function executionMonitorFor(stateMachineArn: string | undefined, local: boolean): ExecutionMonitor {
  // A local stack without Pebble has no runner and so nothing running: the local monitor says so for every attempt.
  if (stateMachineArn === 'local' || (!stateMachineArn && local)) return localExecutionMonitor;
  if (!stateMachineArn) throw new Error('The attempt sweeper needs the issuance state machine (CERTWRIGHT_ISSUANCE_STATE_MACHINE_ARN)');
  return new SfnExecutionMonitor(new SFNClient({}), stateMachineArn);
}
