import { presentChallenges } from '../../shared/use-cases/acme/challenges.ts';
import { presentStepDeps } from '../../shared/wiring/workflow-present.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step: publishes the challenge values (table for HTTP-01, DNS provider for DNS-01). */
export const handler = workflowStep('present-challenges', presentChallenges, presentStepDeps);
