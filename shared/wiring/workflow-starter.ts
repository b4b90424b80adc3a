import { SFNClient } from '@aws-sdk/client-sfn';
import { localWorkflowStarter } from '../adapters/local-workflow/local-workflow-starter.ts';
import { SfnWorkflowStarter } from '../adapters/step-functions/sfn-workflow-starter.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { CertwrightError } from '../domain/errors.ts';
import type { WorkflowStarter } from '../ports/workflow-starter.ts';

const notConfigured: WorkflowStarter = {
  startIssuance: () => Promise.reject(new CertwrightError('internal', 'No issuance state machine is configured for this function')),
};

/** Step Functions in AWS, the local stack's in-process runner, or nothing where no state machine is configured. */
export function workflowStarterFor(config: AcmeConfig): WorkflowStarter {
  if (config.stateMachineArn === 'local') return localWorkflowStarter;
  return config.stateMachineArn ? new SfnWorkflowStarter(new SFNClient({}), config.stateMachineArn) : notConfigured;
}
