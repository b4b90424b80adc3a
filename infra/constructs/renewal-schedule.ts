import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as AwsLambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EXPIRY_INDEX, RENEWAL_INDEX } from '../../shared/adapters/dynamodb/renewal-index.ts';
import { stageOf } from './stage.ts';
import { METRICS_NAMESPACE } from '../../shared/adapters/powertools/emf-lifecycle-metrics.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { DEFAULT_PLANNER_SCHEDULE } from '../../shared/domain/renewal.ts';
import { certwrightFunction, repoRoot } from './certwright-function.ts';

export interface RenewalScheduleProps {
  table: ITable;
  /** Renewals run through the issuance workflow. */
  issuanceStateMachine: IStateMachine;
  /**
   * How often the planner runs, and at most how many renewals one run starts: 15 minutes and 500 by default
   * (DEFAULT_PLANNER_SCHEDULE: 2,000 an hour, enough for a million 45-day certificates, 1,389 an hour).
   */
  plannerRate?: Duration;
  maxPerRun?: number;
  /** New orders per ACME account per window (Let's Encrypt: 300 per 180 minutes). */
  orderLimit?: number;
  orderWindowMinutes?: number;
  /** Most ACME accounts an organization may hold per CA (1 by default); the planner spreads renewals over them. */
  accountsPerCa?: number;
  /** "Certificate Approaching Expiration" events start this many days before expiry (30 by default). */
  expiryNoticeDays?: number;
  /** The expiry alarm fires when any certificate has fewer days left (14 by default; renewals happen at ~30). */
  daysToExpiryAlarmThreshold?: number;
  /** The renewal alarm fires while at least this many certificates are failing to renew (1 by default), checked daily. */
  failedRenewalsAlarmThreshold?: number;
}

/**
 * Certificate lifecycle in AWS: an EventBridge schedule runs the renewal planner, a daily one the expiry notices
 * (events on the default bus, the MinDaysToExpiry metric), and two alarms watch the result.
 */
export class RenewalSchedule extends Construct {
  readonly planner: AwsLambdaFunction;
  readonly expiryNotices: AwsLambdaFunction;
  readonly expiryAlarm: Alarm;
  readonly failedRenewalsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RenewalScheduleProps) {
    super(scope, id);
    const settings = {
      [ENV.tableName]: props.table.tableName,
      [ENV.renewalOrderLimit]: String(props.orderLimit ?? 300),
      [ENV.renewalOrderWindowMinutes]: String(props.orderWindowMinutes ?? 180),
      [ENV.renewalMaxPerRun]: String(props.maxPerRun ?? DEFAULT_PLANNER_SCHEDULE.maxPerRun),
      [ENV.acmeAccountsPerCa]: String(props.accountsPerCa ?? 1),
      [ENV.expiryNoticeDays]: String(props.expiryNoticeDays ?? 30),
    };

    this.planner = this.scheduledFunction('RenewalPlanner', 'renewal-planner', settings, Duration.minutes(5));
    this.planner.addToRolePolicy(
      new PolicyStatement({
        // The renewal-due index (keys only), the per-account order budget items (several accounts' read as one
        // BatchGetItem), and the conditional claims.
        actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn, `${props.table.tableArn}/index/${RENEWAL_INDEX}`],
      }),
    );
    this.planner.addEnvironment(ENV.issuanceStateMachineArn, props.issuanceStateMachine.stateMachineArn);
    props.issuanceStateMachine.grantStartExecution(this.planner);
    new Rule(this, 'PlannerSchedule', {
      description: 'certwright: plan due certificate renewals',
      schedule: Schedule.rate(props.plannerRate ?? Duration.minutes(DEFAULT_PLANNER_SCHEDULE.rateMinutes)),
      targets: [new LambdaFunction(this.planner, { retryAttempts: 0 })],
    });

    this.expiryNotices = this.scheduledFunction('ExpiryNotices', 'expiry-notices', settings, Duration.minutes(5));
    this.expiryNotices.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
        resources: [props.table.tableArn, `${props.table.tableArn}/index/${EXPIRY_INDEX}`],
      }),
    );
    this.expiryNotices.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
    new Rule(this, 'ExpiryNoticeSchedule', {
      description: 'certwright: daily certificate expiry events and metrics',
      schedule: Schedule.cron({ minute: '0', hour: '6' }),
      targets: [new LambdaFunction(this.expiryNotices, { retryAttempts: 2 })],
    });

    // EMF metrics carry Powertools' `service` dimension and the deployment's `stage` (EmfLifecycleMetrics).
    const dimensionsMap = { service: 'certwright', stage: stageOf(this) };
    this.expiryAlarm = new Alarm(this, 'CertificateExpiringAlarm', {
      alarmDescription: 'A certificate has fewer days left than the threshold: its renewal is failing, or it is a custom upload to replace.',
      metric: new Metric({ namespace: METRICS_NAMESPACE, metricName: 'MinDaysToExpiry', dimensionsMap, statistic: 'Minimum', period: Duration.days(1) }),
      threshold: props.daysToExpiryAlarmThreshold ?? 14,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No datapoint means no certificate within the notice window, or expired: nothing to worry about.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // A state, counted by the daily run, not a count of failures: a certificate whose renewal keeps failing is
    // retried less and less often (backoff), and a count of failures per window would fall silent between tries.
    this.failedRenewalsAlarm = new Alarm(this, 'FailedRenewalsAlarm', {
      alarmDescription: 'Certificates keep failing to renew; lastAttempt.error on each says why.',
      metric: new Metric({ namespace: METRICS_NAMESPACE, metricName: 'RenewalsFailing', dimensionsMap, statistic: 'Maximum', period: Duration.days(1) }),
      threshold: props.failedRenewalsAlarmThreshold ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private scheduledFunction(id: string, name: string, environment: Record<string, string>, timeout: Duration): AwsLambdaFunction {
    const scope = new Construct(this, id);
    const { fn } = certwrightFunction(scope, {
      description: `certwright: ${name}`,
      entry: join(repoRoot, 'functions', 'scheduled', `${name}.ts`),
      memorySize: 512,
      timeout,
      environment,
    });
    return fn;
  }
}
