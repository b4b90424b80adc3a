import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { alarmOnErrors, alarmOnExecutions, deadLetterQueueFor, functionsUnder, notify } from './constructs/operations.ts';
import { IssuanceStack } from './issuance-stack.ts';
import { LifecycleStack } from './lifecycle-stack.ts';
import { ServiceStack } from './service-stack.ts';
import { StatefulStack } from './stateful-stack.ts';
import { stackName, stageOf } from './constructs/stage.ts';

/** CDK context key: most ACME accounts an organization may hold per CA (`-c certwright:acmeAccountsPerCa=5`; 1 when unset). */
export const ACCOUNTS_PER_CA_CONTEXT = 'certwright:acmeAccountsPerCa';

function accountsPerCaOf(app: App): number {
  const value: unknown = app.node.tryGetContext(ACCOUNTS_PER_CA_CONTEXT);
  if (value === undefined || value === '') return 1;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new Error(`${ACCOUNTS_PER_CA_CONTEXT} must be a whole number from 1 to 100, not ${String(value)}`);
  return count;
}

export interface CertwrightApp {
  app: App;
  data: StatefulStack;
  issuance: IssuanceStack;
  service: ServiceStack;
}

/**
 * The context cdk.json gives the CDK CLI (the recommended feature flags of the pinned aws-cdk-lib among it), so that
 * the infra tests synthesize with the flags a deployment gets; context passed in wins.
 */
const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(fileURLToPath(new URL('../cdk.json', import.meta.url)), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

/** Builds the whole app with its cdk-nag checks; the CDK CLI and the infra tests both start here. */
export function createCertwrightApp(props?: AppProps): CertwrightApp {
  const app = new App({ ...props, context: { ...cdkJsonContext(), ...props?.context } });
  // `-c certwright:stage=staging` deploys a second, separate copy next to `prod` (the default): every stack name,
  // the secret name prefix and the metrics' `stage` dimension carry it; all other names are generated per stack.
  const stage = stageOf(app);
  // Environment-agnostic on purpose: a team deploys into whatever account and region its credentials point to,
  // and the templates (and cdk-nag finding ids) do not change with the machine that synthesizes them.
  const data = new StatefulStack(app, 'CertwrightData', {
    stackName: stackName('Data', stage),
    description: 'certwright: table and secrets key (retained on delete)',
  });
  // One order budget per ACME account, spent by the renewal planner, first issuances and renew now alike (Let's
  // Encrypt's limit), over at most `accountsPerCa` accounts per organization and CA.
  const orderBudget = { orderLimit: 300, orderWindowMinutes: 180, accountsPerCa: accountsPerCaOf(app) };
  const issuance = new IssuanceStack(app, 'CertwrightIssuance', {
    stackName: stackName('Issuance', stage),
    description: 'certwright: ACME issuance workflow (state machine and one function per step)',
    table: data.table,
    secretKey: data.secretKey,
    orderLimit: orderBudget.orderLimit,
    orderWindowMinutes: orderBudget.orderWindowMinutes,
  });
  const service = new ServiceStack(app, 'CertwrightService', {
    stackName: stackName('Service', stage),
    description: 'certwright: HTTP API and functions',
    table: data.table,
    secretKey: data.secretKey,
    issuanceStateMachine: issuance.workflow.stateMachine,
    ...orderBudget,
  });

  const lifecycle = new LifecycleStack(app, 'CertwrightLifecycle', {
    stackName: stackName('Lifecycle', stage),
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

  watch({ data, issuance, service, lifecycle });

  // Fails the synth on any finding that is not acknowledged with a reason next to the resource.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, data, issuance, service };
}

/**
 * Operations: every function alarms on its errors, every function EventBridge invokes has a dead-letter queue with an
 * alarm, issuance executions that fail or time out alarm, and so do the lifecycle alarms; all notify one topic.
 */
function watch(stacks: { data: StatefulStack; issuance: IssuanceStack; service: ServiceStack; lifecycle: LifecycleStack }): void {
  const topic = stacks.data.alarmTopic;
  for (const stack of [stacks.issuance, stacks.service, stacks.lifecycle]) {
    for (const fn of functionsUnder(stack)) alarmOnErrors(fn, topic);
  }
  const asynchronous = [
    stacks.lifecycle.renewals.planner,
    stacks.lifecycle.renewals.expiryNotices,
    stacks.issuance.workflow.endedExecutionFunction,
    stacks.issuance.workflow.sweeperFunction,
  ];
  for (const fn of asynchronous) if (fn) deadLetterQueueFor(fn, topic);
  alarmOnExecutions(stacks.issuance, stacks.issuance.workflow.stateMachine, topic);
  notify(stacks.lifecycle.renewals.expiryAlarm, topic);
  notify(stacks.lifecycle.renewals.failedRenewalsAlarm, topic);
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) {
  createCertwrightApp().app.synth();
}
