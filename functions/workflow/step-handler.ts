import { Logger } from '@aws-lambda-powertools/logger';
import { loadApiConfig } from '../../shared/config/api-config.ts';
import { StepError } from '../../shared/domain/acme-errors.ts';
import { isCertwrightError } from '../../shared/domain/errors.ts';
import type { CoreDeps } from '../../shared/use-cases/core-deps.ts';
import { buildCoreDeps } from '../../shared/wiring.ts';

const logger = new Logger({ serviceName: 'certwright-workflow' });
let deps: CoreDeps | undefined;

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
 * One workflow step as a Lambda handler: dependencies wired once per container, the use case called with the
 * step's payload, failures renamed for the workflow and logged without their payload (it holds no secret, but
 * nothing from the state needs to be in the logs either).
 */
export function workflowStep<I, O>(step: string, run: (deps: CoreDeps, input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input: I) => {
    deps ??= buildCoreDeps(loadApiConfig());
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
