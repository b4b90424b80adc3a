import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { CertwrightError } from '../../domain/errors.ts';
import type { IssuanceExecutionInput, WorkflowStarter } from '../../ports/workflow-starter.ts';

/** Step Functions StartExecution, named by the attempt id so that a repeated start cannot run the attempt twice. */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async startIssuance(input: IssuanceExecutionInput): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: input.attemptId, input: JSON.stringify(input) }),
      );
    } catch (error) {
      // Same name and same input: this attempt is already running (or ran). Step Functions says so only for a different input.
      if ((error as Error).name === 'ExecutionAlreadyExists') return;
      const name = (error as Error).name;
      throw new CertwrightError('dependency_unavailable', 'The issuance workflow could not be started', {
        cause: error,
        retryable: name === 'ThrottlingException' || name === 'ServiceUnavailable',
      });
    }
  }
}
