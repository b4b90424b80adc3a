import { preflightHttp01 } from '../../shared/use-cases/acme/http01-preflight.ts';
import { preflightStepDeps } from '../../shared/wiring/workflow-http01.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step, before the order: each name's HTTP-01 path must reach this deployment (http-01 only). */
export const handler = workflowStep('preflight-http-01', preflightHttp01, preflightStepDeps);
