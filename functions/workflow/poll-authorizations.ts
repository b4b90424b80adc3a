import { pollAuthorizations } from '../../shared/use-cases/acme/challenges.ts';
import { orderStepDeps } from '../../shared/wiring/workflow-ca.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step, looped: reads the authorizations once; an invalid one fails the attempt with the CA's reason. */
export const handler = workflowStep('poll-authorizations', pollAuthorizations, orderStepDeps);
