import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnExecutionMonitor } from '../../shared/adapters/step-functions/sfn-execution-monitor.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:Issuance';
const monitor = () => new SfnExecutionMonitor(new SFNClient({}), MACHINE);

beforeEach(() => sfn.reset());

describe('SfnExecutionMonitor', () => {
  it("asks for the execution named by the attempt id, under the state machine's execution ARN", async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    expect(await monitor().describe('attempt-1')).toEqual({ status: 'RUNNING', error: null });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:Issuance:attempt-1',
    });
  });

  it('reports how an execution ended, with its error name; a pending redrive counts as running', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'FAILED', error: 'States.Runtime' })
      .resolvesOnce({ status: 'PENDING_REDRIVE' });
    expect(await monitor().describe('attempt-2')).toEqual({ status: 'FAILED', error: 'States.Runtime' });
    expect(await monitor().describe('attempt-2')).toMatchObject({ status: 'RUNNING' });
  });

  it('says NOT_FOUND for an execution that never started, and turns other errors into a retryable dependency error', async () => {
    sfn.on(DescribeExecutionCommand).rejectsOnce(new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} }));
    expect(await monitor().describe('attempt-3')).toEqual({ status: 'NOT_FOUND' });
    sfn.on(DescribeExecutionCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const error = await monitor()
      .describe('attempt-3')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertwrightError);
    expect(error).toMatchObject({ code: 'dependency_unavailable', retryable: true });
  });
});
