import { createOrder } from '../../shared/use-cases/acme/create-order.ts';
import { orderStepDeps } from '../../shared/wiring/workflow-ca.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step: account, new order, one challenge per pending authorization. */
export const handler = workflowStep('create-order', createOrder, orderStepDeps);
