import { CertwrightError } from '../../domain/errors.ts';
import type { ExecutionMonitor, ExecutionState } from '../../ports/execution-monitor.ts';
import type { IssuanceExecutionInput, WorkflowStarter } from '../../ports/workflow-starter.ts';

/**
 * The local stack runs the workflow in its own process (aws-local-stepfunctions); it registers its runner here
 * when it starts, so the API functions can start executions without bundling the emulator into a Lambda.
 */
let registered: (WorkflowStarter & ExecutionMonitor) | null = null;

export function registerLocalWorkflowRunner(runner: (WorkflowStarter & ExecutionMonitor) | null): void {
  registered = runner;
}

export const localWorkflowStarter: WorkflowStarter = {
  startIssuance(input: IssuanceExecutionInput): Promise<void> {
    if (!registered) throw new CertwrightError('internal', 'No local workflow runner is registered; start the local stack');
    return registered.startIssuance(input);
  },
};

/**
 * The local runner knows every execution it runs; with none registered (a stack started without Pebble), nothing
 * runs, so every attempt in flight is one that a stopped or crashed stack left behind.
 */
export const localExecutionMonitor: ExecutionMonitor = {
  describe(attemptId: string): Promise<ExecutionState> {
    return registered ? registered.describe(attemptId) : Promise.resolve({ status: 'NOT_FOUND' });
  },
};
