import { cleanUpChallenges } from '../../shared/use-cases/acme/challenges.ts';
import { dnsStepDeps } from '../../shared/wiring/workflow-dns.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step, on success and on failure: removes the attempt's challenge values. */
export const handler = workflowStep('clean-up', cleanUpChallenges, dnsStepDeps);
