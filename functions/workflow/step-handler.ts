import { Logger } from '@aws-lambda-powertools/logger';
import { StepError } from '../../shared/domain/acme-errors.ts';
import { isCertwrightError } from '../../shared/domain/errors.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';
import { loadWorkflowConfig } from '../../shared/wiring/workflow.ts';
import type { StepWiring } from '../../shared/wiring/workflow.ts';

const logger = new Logger({ serviceName: 'certwright-workflow' });

/** What the workflow sees of a failure: a stable error name (its Retry and Catch match on it) and a message a user may read. */
function forWorkflow(step: string, error: unknown): Error {
  if (error instanceof StepError) return error;
  if (isCertwrightError(error)) {
    return error.retryable || error.code === 'dependency_unavailable'
      ? new StepError('DependencyUnavailableError', error.message, { cause: error })
      : new StepError('IssuanceSetupError', error.message, { cause: error });
  }
  // A bug: its message may be internal, so the attempt records only where it happened; the log has the rest.
  return new Error(`Internal error in the ${step} step`, { cause: error });
}

/**
 * One workflow step as a Lambda handler: its configuration parsed and its dependencies (only what `run` takes,
 * built by `wire`) made once per container, the use case called with the step's payload, failures renamed for the
 * workflow and logged without their payload (it holds no secret, but nothing from the state needs to be in the
 * logs either). Parsed and built on the first call rather than at import, as the local stack sets the environment
 * after it imports the steps.
 */
export function workflowStep<D, I, O>(step: string, run: (deps: D, input: I) => Promise<O>, wire: StepWiring<D>): (input: I) => Promise<O> {
  let deps: D | undefined;
  return async (input: I) => {
    deps ??= wire(loadWorkflowConfig(), systemAmbient);
    try {
      return await run(deps, input);
    } catch (error) {
      const renamed = forWorkflow(step, error);
      // An ACME problem or a failed challenge is an outcome, not a fault: its message says it all. Anything else keeps its cause.
      if (error instanceof StepError) logger.warn('workflow step failed', { step, errorName: renamed.name, errorMessage: renamed.message });
      else logger.error('workflow step failed', { step, errorName: renamed.name, errorMessage: renamed.message, cause: error as Error });
      throw renamed;
    }
  };
}
