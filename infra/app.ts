import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IssuanceStack } from './issuance-stack.ts';
import { LifecycleStack } from './lifecycle-stack.ts';
import { ServiceStack } from './service-stack.ts';
import { StatefulStack } from './stateful-stack.ts';

export interface CertwrightApp {
  app: App;
  data: StatefulStack;
  issuance: IssuanceStack;
  service: ServiceStack;
}

/** Builds the whole app with its cdk-nag checks; the CDK CLI and the infra tests both start here. */
export function createCertwrightApp(props?: AppProps): CertwrightApp {
  const app = new App(props);
  // Environment-agnostic on purpose: a team deploys into whatever account and region its credentials point to,
  // and the templates (and cdk-nag finding ids) do not change with the machine that synthesizes them.
  const data = new StatefulStack(app, 'CertwrightData', {
    description: 'certwright: table and secrets key (retained on delete)',
  });
  const issuance = new IssuanceStack(app, 'CertwrightIssuance', {
    description: 'certwright: ACME issuance workflow (state machine and one function per step)',
    table: data.table,
    secretKey: data.secretKey,
  });
  // One order budget per ACME account, spent by the renewal planner and by renew now alike (Let's Encrypt's limit).
  const orderBudget = { orderLimit: 300, orderWindowMinutes: 180 };
  const service = new ServiceStack(app, 'CertwrightService', {
    description: 'certwright: HTTP API and functions',
    table: data.table,
    secretKey: data.secretKey,
    issuanceStateMachine: issuance.workflow.stateMachine,
    ...orderBudget,
  });

  new LifecycleStack(app, 'CertwrightLifecycle', {
    description: 'certwright: renewal planner and expiry notices on schedules, lifecycle alarms',
    table: data.table,
    issuanceStateMachine: issuance.workflow.stateMachine,
    ...orderBudget,
    // The steps that record an attempt's outcome announce it (Certificate Issued / Renewed / Renewal Failed), and
    // the API functions that revoke (platform and projects dialects) send Certificate Revoked.
    announcingFunctions: [
      issuance.workflow.functions['store-certificate'],
      issuance.workflow.functions['record-failure'],
      ...(issuance.workflow.endedExecutionFunction ? [issuance.workflow.endedExecutionFunction] : []),
      ...(issuance.workflow.sweeperFunction ? [issuance.workflow.sweeperFunction] : []),
      service.functions.platform.function,
      service.functions.projects.function,
    ],
  });

  // Fails the synth on any finding that is not acknowledged with a reason next to the resource.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, issuance, service };
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) {
  createCertwrightApp().app.synth();
}
