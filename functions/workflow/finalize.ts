import { finalizeOrder } from '../../shared/use-cases/acme/finalize.ts';
import { orderStepDeps } from '../../shared/wiring/workflow-ca.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step: generates the certificate key into the secret store and sends the CSR. */
export const handler = workflowStep('finalize', finalizeOrder, orderStepDeps);
