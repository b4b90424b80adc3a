import { completeChallenges } from '../../shared/use-cases/acme/challenges.ts';
import { orderStepDeps } from '../../shared/wiring/workflow-ca.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step: tells the CA the challenges are ready. */
export const handler = workflowStep('complete-challenges', completeChallenges, orderStepDeps);
