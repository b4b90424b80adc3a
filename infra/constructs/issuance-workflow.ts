import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as AwsLambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EXECUTION_STATUS_CHANGE } from '../../shared/adapters/step-functions/execution-status-event.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { certwrightFunction, repoRoot } from './certwright-function.ts';
import { grantSecrets, grantTableAccess } from './grants.ts';
import type { SecretGrants, TableAccess } from './grants.ts';
import { hostedZoneArns } from './hosted-zone-ids.ts';
import { configureKeyStore, keyStoreOf } from './key-store.ts';

/**
 * What one workflow step may touch:
 * - table: `read` (the attempt, the account, the certificate) or `write` (also record progress); `none` for a step
 *   that reads only the clock and its input.
 * - secrets, by kind: the ACME account key (`acme-accounts`, from which each step rebuilds its ACME client, written on
 *   first use) and the certificate keys (`certificates`: written in finalize, deleted when replaced or orphaned).
 * - route53 `read`: find the zone, its name servers, and whether a change is INSYNC; `write`: also change the
 *   `_acme-challenge` TXT records, and nothing else (see {@link route53ChangeStatement}).
 */
export interface StepAccess {
  table: TableAccess;
  secrets: SecretGrants;
  route53: 'none' | 'read' | 'write';
}

/** The Route 53 reads of the DNS-01 provider: zone lookup by name, name servers, record sets, change status. */
export const ROUTE53_READ_ACTIONS = [
  'route53:ListHostedZonesByName',
  'route53:GetHostedZone',
  'route53:ListResourceRecordSets',
  'route53:GetChange',
];

/** The only record names and type the workflow may change (Route 53 condition keys, values as IAM compares them). */
export const ROUTE53_CHANGE_CONDITIONS = {
  'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
  'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
};

export interface IssuanceWorkflowProps<Step extends string> {
  /** One Lambda per step. */
  steps: readonly Step[];
  /**
   * The workflow definition (ASL as an object), given each step's Lambda ARN: the same function the local stack
   * runs with aws-local-stepfunctions, so what is deployed is what was tested. It must set a total TimeoutSeconds.
   */
  definition: (functionArn: (step: Step) => string) => Record<string, unknown>;
  access: Readonly<Record<Step, StepAccess>>;
  /** Memory per step in MB (its CPU share follows); 1024 for a step not named. */
  memory?: Readonly<Partial<Record<Step, number>>>;
  table: ITable;
  secretKey: IKey;
  /** Entry file of a step, exporting `handler`; functions/workflow/<step>.ts by default. */
  entry?: (step: Step) => string;
  /** Hosted zones the workflow may write to; every zone of the account by default (zones are found by name at run time). */
  hostedZoneIds?: readonly string[];
  /**
   * A Lambda for executions that end TIMED_OUT, ABORTED or FAILED (an EventBridge rule on this state machine's
   * status changes), with the access it needs to clean up and record the failure. None when unset.
   */
  endedExecution?: { entry: string; access: StepAccess; memory?: number };
  /**
   * A scheduled Lambda that fails attempts whose execution is no longer running (DescribeExecution), for the ends
   * no status-change event reports (an execution deleted, an event lost, a failure path that itself failed).
   * Its access is what ended-execution handling needs. None when unset.
   */
  sweeper?: { entry: string; access: StepAccess; rate?: Duration; graceMinutes?: number; memory?: number };
}

/** The execution statuses that may leave an attempt unrecorded: the state machine never reached its failure path. */
export const ABNORMAL_END_STATUSES = ['TIMED_OUT', 'ABORTED', 'FAILED'] as const;

/**
 * The ACME issuance workflow: a Step Functions standard state machine over one small Lambda per step. Each step
 * gets only the access its `StepAccess` names; the state machine may only invoke its own steps.
 */
export class IssuanceWorkflow<Step extends string> extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<Step, AwsLambdaFunction>>;
  readonly logGroup: LogGroup;
  /** Records executions that ended without their own failure path (see `endedExecution`). */
  readonly endedExecutionFunction: AwsLambdaFunction | undefined;
  /** Fails attempts whose execution is gone (see `sweeper`). */
  readonly sweeperFunction: AwsLambdaFunction | undefined;

  constructor(scope: Construct, id: string, props: IssuanceWorkflowProps<Step>) {
    super(scope, id);
    const entry = props.entry ?? ((step: Step) => join(repoRoot, 'functions', 'workflow', `${step}.ts`));

    const functions = {} as Record<Step, AwsLambdaFunction>;
    for (const step of props.steps) {
      functions[step] = this.stepFunction(step, entry(step), props.access[step], props, props.memory?.[step]);
    }
    this.functions = functions;

    const definition = props.definition((step) => {
      const fn = functions[step];
      if (!fn) throw new Error(`The workflow definition uses step "${step}", which is not in the step list`);
      return fn.functionArn;
    });
    if (typeof definition.TimeoutSeconds !== 'number' || definition.TimeoutSeconds <= 0) {
      throw new Error('The issuance workflow definition must set a total TimeoutSeconds');
    }

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
      // Every event, for following an attempt; the data stays out (the execution history has it) so that the
      // log group holds no copy of certificate ids and ACME URLs under a different access policy.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Exactly the step functions, unqualified as the definition names them (CDK's grantInvoke would add `:*`).
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: props.steps.map((step) => functions[step].functionArn) }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging and tracing: CloudWatch Logs vended log delivery (logs:CreateLogDelivery and friends) and ' +
        'X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* have no resource-level permissions.',
    });

    this.endedExecutionFunction = props.endedExecution && this.endedExecutionRecorder(props.endedExecution, props);
    this.sweeperFunction = props.sweeper && this.attemptSweeper(props.sweeper, props);
  }

  /**
   * Every few minutes: the attempts in flight (a sparse index) past a grace period, each checked with
   * DescribeExecution; one whose execution is not running is failed with the reason, as the ended-execution
   * handler does. Without it such a certificate stays `issuing` until the attempt lease runs out (2 hours).
   */
  private attemptSweeper(
    sweeper: NonNullable<IssuanceWorkflowProps<Step>['sweeper']>,
    props: IssuanceWorkflowProps<Step>,
  ): AwsLambdaFunction {
    const fn = this.stepFunction('attempt-sweeper', sweeper.entry, sweeper.access, props, sweeper.memory);
    fn.addEnvironment(ENV.issuanceStateMachineArn, this.stateMachine.stateMachineArn);
    fn.addEnvironment(ENV.sweeperGraceMinutes, String(sweeper.graceMinutes ?? 5));
    // Only this state machine's executions, only their description.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [
          Stack.of(this).formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${this.stateMachine.stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const machineId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine);
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machineId}.Name>:*]`,
      reason:
        'Execution names are attempt ids, known only at run time; the ARN is limited to this state machine and the action to DescribeExecution.',
    });
    new Rule(this, 'AttemptSweeperSchedule', {
      description: 'certwright: fail issuance attempts whose execution is no longer running',
      schedule: Schedule.rate(sweeper.rate ?? Duration.minutes(5)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    return fn;
  }

  /**
   * Step Functions reports every status change of an execution to EventBridge. One that timed out, was stopped, or
   * failed outside a Catch ran neither CleanUpAfterFailure nor RecordFailure: this rule hands it to a Lambda that does
   * (FAILED includes the workflow's own Fail state; the handler leaves an attempt already recorded as it is).
   */
  private endedExecutionRecorder(
    ended: { entry: string; access: StepAccess; memory?: number },
    props: IssuanceWorkflowProps<Step>,
  ): AwsLambdaFunction {
    const fn = this.stepFunction('execution-ended', ended.entry, ended.access, props, ended.memory);
    new Rule(this, 'ExecutionEndedAbnormally', {
      description: 'certwright: record and clean up issuance executions that timed out, were stopped, or failed outside their Catch',
      eventPattern: {
        source: ['aws.states'],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: [...ABNORMAL_END_STATUSES] },
      },
      // The handler is idempotent; a failed clean-up throws so that the event comes again.
      targets: [new LambdaFunction(fn, { retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
    return fn;
  }

  private stepFunction(
    step: string,
    entry: string,
    access: StepAccess,
    props: IssuanceWorkflowProps<Step>,
    memorySize = 1024,
  ): AwsLambdaFunction {
    const scope = new Construct(this, step);
    const { fn, role } = certwrightFunction(scope, {
      description: `certwright issuance workflow: ${step}`,
      entry,
      memorySize,
      // One ACME request or one DNS change per invocation; the Task state's own timeout is longer, so a stuck
      // invocation ends here and the state's Retry decides.
      timeout: Duration.seconds(60),
    });
    grantTableAccess(fn, props.table, access.table);
    grantSecrets(fn, props.secretKey, access.secrets);
    configureKeyStore(fn, props.secretKey, props.table, keyStoreOf(this), access.secrets.certificates ?? []);

    const acknowledgements: { id: string; reason: string }[] = [];
    if (access.route53 !== 'none') {
      const zones = hostedZoneArns(this, props.hostedZoneIds);
      const stack = Stack.of(this);
      const route53Arn = (resource: string) =>
        stack.formatArn({ service: 'route53', region: '', account: '', resource, resourceName: '*' });
      fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'], resources: zones }));
      fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:GetChange'], resources: [route53Arn('change')] }));
      // IAM has no resource-level permission for listing zones by name.
      fn.addToRolePolicy(new PolicyStatement({ actions: ['route53:ListHostedZonesByName'], resources: ['*'] }));
      if (access.route53 === 'write') fn.addToRolePolicy(route53ChangeStatement(zones));
      acknowledgements.push(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'route53:ListHostedZonesByName has no resource-level permissions; the zone is found by name at run time.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
          reason: 'Route 53 change ids are only known once a change is submitted; GetChange only reads its status.',
        },
      );
      if (!props.hostedZoneIds) {
        acknowledgements.push({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::hostedzone/*]',
          reason:
            'The zone of each certificate name is found by name at run time; record changes are limited by condition keys to ' +
            'TXT records named _acme-challenge.*, and deployments that know their zones can pass hostedZoneIds.',
        });
      }
    }
    for (const acknowledgement of acknowledgements) Validations.of(role).acknowledge(acknowledgement);
    return fn;
  }
}

/**
 * The workflow may change only `_acme-challenge.*` TXT records. Both keys are multi-valued (one value per change
 * in the batch), so ForAllValues: every change of the batch must match, not just one.
 */
export function route53ChangeStatement(zoneArns: string[]): PolicyStatement {
  return new PolicyStatement({
    actions: ['route53:ChangeResourceRecordSets'],
    resources: zoneArns,
    conditions: ROUTE53_CHANGE_CONDITIONS,
  });
}
