import { planRateLimitWait } from '../../shared/use-cases/acme/rate-limit.ts';
import { clockStepDeps } from '../../shared/wiring/workflow.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step after a `rateLimited` answer: how long the Wait state waits before the step runs again. */
export const handler = workflowStep(
  'plan-rate-limit-wait',
  (deps, input: Parameters<typeof planRateLimitWait>[1]) => planRateLimitWait(deps, input),
  clockStepDeps,
);
