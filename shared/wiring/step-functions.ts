import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionMonitor } from '../adapters/step-functions/sfn-execution-monitor.ts';
import { SfnWorkflowStarter } from '../adapters/step-functions/sfn-workflow-starter.ts';
import type { ExecutionMonitor } from '../ports/execution-monitor.ts';
import type { WorkflowStarter } from '../ports/workflow-starter.ts';

// A module of its own, so that a function loads the Step Functions client when it first starts or asks about an execution.

export const sfnWorkflowStarter = (stateMachineArn: string): WorkflowStarter => new SfnWorkflowStarter(new SFNClient({}), stateMachineArn);

export const sfnExecutionMonitor = (stateMachineArn: string): ExecutionMonitor =>
  new SfnExecutionMonitor(new SFNClient({}), stateMachineArn);
