import { pollOrder } from '../../shared/use-cases/acme/finalize.ts';
import { orderStepDeps } from '../../shared/wiring/workflow-ca.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step, looped: reads the order once. */
export const handler = workflowStep('poll-order', pollOrder, orderStepDeps);
