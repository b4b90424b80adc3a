import { storeCertificate } from '../../shared/use-cases/acme/finalize.ts';
import { storeStepDeps } from '../../shared/wiring/workflow-ca.ts';
import { workflowStep } from './step-handler.ts';

/** Issuance step: downloads, checks and stores the certificate. */
export const handler = workflowStep('store-certificate', storeCertificate, storeStepDeps);
