import { lazyPort } from '../adapters/lazy-port.ts';
import { localWorkflowStarter } from '../adapters/local-workflow/local-workflow-starter.ts';
import type { AcmeConfig } from '../config/acme-config.ts';
import { CertwrightError } from '../domain/errors.ts';
import type { WorkflowStarter } from '../ports/workflow-starter.ts';

const notConfigured: WorkflowStarter = {
  startIssuance: () => Promise.reject(new CertwrightError('internal', 'No issuance state machine is configured for this function')),
};

/**
 * Step Functions in AWS (its client loaded when the first issuance starts: the API functions start one only on some
 * requests), the local stack's in-process runner, or nothing where no state machine is configured.
 */
export function workflowStarterFor(config: AcmeConfig): WorkflowStarter {
  const { stateMachineArn } = config;
  if (stateMachineArn === 'local') return localWorkflowStarter;
  if (!stateMachineArn) return notConfigured;
  return lazyPort(async () => (await import('./step-functions.ts')).sfnWorkflowStarter(stateMachineArn), ['startIssuance']);
}
