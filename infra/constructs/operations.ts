import { Duration, Validations } from 'aws-cdk-lib';
import type { IAlarm, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { stageOf } from './stage.ts';

/** `-c certwright:alarmEmail=ops@example.com`: subscribe this address to the alarm topic (it must confirm by mail). */
export const ALARM_EMAIL_CONTEXT = 'certwright:alarmEmail';

/** The topic every certwright alarm notifies, with an e-mail subscription when asked. */
export function alarmTopic(scope: Construct): Topic {
  const topic = new Topic(scope, 'Alarms', { displayName: `certwright ${stageOf(scope)} alarms`, enforceSSL: true });
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'Alarm notifications carry alarm names, metrics and thresholds, nothing secret; CloudWatch can publish to an encrypted ' +
      'topic only with a customer managed key whose policy admits it, and the only key here guards private keys.',
  });
  const email = scope.node.tryGetContext(ALARM_EMAIL_CONTEXT) as string | undefined;
  if (email) topic.addSubscription(new EmailSubscription(email));
  return topic;
}

/** Sends the alarm (and its return to OK) to the topic. */
export function notify(alarm: IAlarm & { addOkAction(action: SnsAction): void; addAlarmAction(action: SnsAction): void }, topic: ITopic): void {
  alarm.addAlarmAction(new SnsAction(topic));
  alarm.addOkAction(new SnsAction(topic));
}

/** Every certwright Lambda under `scope`. */
export const functionsUnder = (scope: Construct): LambdaFunction[] => scope.node.findAll().filter((node) => node instanceof LambdaFunction);

/** An alarm, telling the topic, as soon as one 5-minute period of `metric` reaches 1. */
function alarmOnAny(scope: Construct, id: string, description: string, metric: IMetric, topic: ITopic): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription: `certwright: ${description}`,
    metric,
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  notify(alarm, topic);
  return alarm;
}

const FIVE_MINUTES = Duration.minutes(5);

/** One alarm per function: any error (an unhandled exception or a timeout) within 5 minutes. */
export const alarmOnErrors = (fn: LambdaFunction, topic: ITopic): Alarm =>
  alarmOnAny(fn, 'ErrorsAlarm', `${fn.node.path} failed; its log group has the error with a request id.`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), topic);

/**
 * A function EventBridge invokes asynchronously: an event it still fails on after Lambda's own retries goes to a
 * dead-letter queue (kept 14 days, to replay), and the queue alarms as soon as it holds one.
 */
export function deadLetterQueueFor(fn: LambdaFunction, topic: ITopic): Queue {
  const queue = new Queue(fn, 'DeadLetters', {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter destination of the function itself; a queue for its dead letters would have nothing to catch.',
  });
  fn.configureAsyncInvoke({ onFailure: new SqsDestination(queue), retryAttempts: 2, maxEventAge: Duration.hours(6) });
  alarmOnAny(
    queue,
    'Alarm',
    `events ${fn.node.path} could not handle are waiting in its dead-letter queue.`,
    queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
    topic,
  );
  return queue;
}

/** Issuance executions that failed, timed out or were stopped: each is a certificate that did not renew. */
export function alarmOnExecutions(scope: Construct, stateMachine: IStateMachine, topic: ITopic): Alarm[] {
  const metrics = {
    failed: stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
    'timed out': stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
    'been stopped': stateMachine.metricAborted({ period: FIVE_MINUTES, statistic: 'Sum' }),
  };
  const ids = { failed: 'ExecutionsFailedAlarm', 'timed out': 'ExecutionsTimedOutAlarm', 'been stopped': 'ExecutionsAbortedAlarm' };
  return (Object.keys(metrics) as (keyof typeof metrics)[]).map((outcome) =>
    alarmOnAny(scope, ids[outcome], `an issuance execution has ${outcome}; the certificate's lastAttempt.error says why.`, metrics[outcome], topic),
  );
}
