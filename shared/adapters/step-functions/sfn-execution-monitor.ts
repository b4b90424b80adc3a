import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { CertwrightError } from '../../domain/errors.ts';
import type { ExecutionMonitor, ExecutionState, ExecutionStatus } from '../../ports/execution-monitor.ts';

const KNOWN: ReadonlySet<string> = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** The ARN of a standard workflow's execution: the state machine's, with `execution` and the execution name. */
export const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** Step Functions DescribeExecution for the execution named by the attempt id. */
export class SfnExecutionMonitor implements ExecutionMonitor {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async describe(attemptId: string): Promise<ExecutionState> {
    try {
      const reply = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArn(this.stateMachineArn, attemptId) }));
      // PENDING_REDRIVE: a redrive was asked for and it will run again, so it counts as running.
      const status = reply.status === 'PENDING_REDRIVE' ? 'RUNNING' : reply.status;
      if (!status || !KNOWN.has(status)) return { status: 'RUNNING' };
      return { status: status as ExecutionStatus, error: reply.error ?? null };
    } catch (error) {
      // Never started (the start failed after the attempt was written), or past the execution history's retention.
      if ((error as Error).name === 'ExecutionDoesNotExist') return { status: 'NOT_FOUND' };
      throw new CertwrightError('dependency_unavailable', 'Step Functions could not say whether the execution runs', {
        cause: error,
        retryable: true,
      });
    }
  }
}
