import { recordFailure } from '../../shared/use-cases/acme/record-failure.ts';
import { failureStepDeps } from '../../shared/wiring/workflow-failure.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step on the failure path: records the reason in lastAttempt. */
export const handler = workflowStep('record-failure', recordFailure, failureStepDeps);
