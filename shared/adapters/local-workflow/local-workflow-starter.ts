import { CertwrightError } from '../../domain/errors.ts';
import type { IssuanceExecutionInput, WorkflowStarter } from '../../ports/workflow-starter.ts';

/**
 * The local stack runs the workflow in its own process (aws-local-stepfunctions); it registers its runner here
 * when it starts, so the API functions can start executions without bundling the emulator into a Lambda.
 */
let registered: WorkflowStarter | null = null;

export function registerLocalWorkflowRunner(runner: WorkflowStarter | null): void {
  registered = runner;
}

export const localWorkflowStarter: WorkflowStarter = {
  startIssuance(input: IssuanceExecutionInput): Promise<void> {
    if (!registered) throw new CertwrightError('internal', 'No local workflow runner is registered; start the local stack');
    return registered.startIssuance(input);
  },
};
