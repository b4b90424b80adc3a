import { Logger } from '@aws-lambda-powertools/logger';
import { endedExecutionOf } from '../../shared/adapters/step-functions/execution-status-event.ts';
import type { ExecutionStatusChangeEvent } from '../../shared/adapters/step-functions/execution-status-event.ts';
import { recordEndedExecution } from '../../shared/use-cases/acme/ended-execution.ts';
import { endedExecutionDeps } from '../../shared/wiring/workflow-dns.ts';
import { workflowStep } from './step-handler.ts';

const logger = new Logger({ serviceName: 'certwright-workflow' });

/**
 * EventBridge target for an issuance execution that TIMED_OUT, was ABORTED, or FAILED outside its Catch: cleans up
 * its challenge records and fails its attempt (the workflow's own failure path never ran). Also called by the local
 * workflow runner, with the same event, when an execution ends that way.
 */
export const handler = workflowStep(
  'execution-ended',
  async (deps: Parameters<typeof recordEndedExecution>[0], event: ExecutionStatusChangeEvent) => {
    const ended = endedExecutionOf(event);
    if (!ended) {
      logger.warn('execution status change ignored', { status: event.detail.status, execution: event.detail.executionArn });
      return { recorded: false, removed: 0 };
    }
    // The definition's own Fail state (error IssuanceFailed) has recorded the attempt already; only other ends are news.
    const recordedByWorkflow = ended.status === 'FAILED' && ended.error === 'IssuanceFailed';
    // The cause of a runtime failure may name internals: it goes to the log, the attempt gets a plain reason.
    logger[recordedByWorkflow ? 'debug' : 'info'](
      recordedByWorkflow ? 'issuance execution failed' : 'issuance execution ended abnormally',
      {
        attemptId: ended.attemptId,
        status: ended.status,
        error: ended.error,
        cause: event.detail.cause,
      },
    );
    return recordEndedExecution(deps, ended);
  },
  endedExecutionDeps,
);
