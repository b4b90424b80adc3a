import { checkPropagation } from '../../shared/use-cases/acme/challenges.ts';
import { dnsStepDeps } from '../../shared/wiring/workflow-dns.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step, looped: provider in sync, then the authoritative name servers answer with the value. */
export const handler = workflowStep('check-propagation', checkPropagation, dnsStepDeps);
