import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertwrightApp } from '../../infra/app.ts';
import { ALARM_EMAIL_CONTEXT } from '../../infra/constructs/operations.ts';
import type { Json } from '../support/cloudformation.ts';

/** What an operator is told about: the alarms, their actions, the dead-letter queues, and the API's limits. */
let templates: Record<'data' | 'issuance' | 'service' | 'lifecycle', Template>;
beforeAll(() => {
  const built = createCertwrightApp({ context: { 'aws:cdk:bundling-stacks': [], [ALARM_EMAIL_CONTEXT]: 'ops@example.test' } });
  const lifecycle = built.app.node.findChild('CertwrightLifecycle') as Stack;
  templates = {
    data: Template.fromStack(built.data),
    issuance: Template.fromStack(built.issuance),
    service: Template.fromStack(built.service),
    lifecycle: Template.fromStack(lifecycle),
  };
});

const resources = (template: Template, type: string): [string, Json][] =>
  Object.entries(template.findResources(type) as Record<string, Json>);
const alarms = (template: Template) => resources(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties as Json);
/** An alarm action or OK action that is the data stack's alarm topic (imported). */
const notifiesTopic = (alarm: Json) =>
  ['AlarmActions', 'OKActions'].every((key) => JSON.stringify(alarm[key] ?? []).includes('Fn::ImportValue') && JSON.stringify(alarm[key]).includes('Alarms'));

describe('alarms', () => {
  it('has one topic, with the e-mail subscription the context asks for', () => {
    templates.data.resourceCountIs('AWS::SNS::Topic', 1);
    templates.data.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.test' });
  });

  it('watches every function for errors, and tells the topic', () => {
    for (const template of [templates.issuance, templates.service, templates.lifecycle]) {
      const functions = resources(template, 'AWS::Lambda::Function').map(([id]) => id);
      const watched = alarms(template)
        .filter((alarm) => alarm.MetricName === 'Errors' && alarm.Namespace === 'AWS/Lambda')
        .map((alarm) => {
          expect(notifiesTopic(alarm)).toBe(true);
          return ((alarm.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref ?? '') as string;
        });
      expect(functions.length).toBeGreaterThan(0);
      expect(watched.sort()).toEqual(functions.sort());
    }
  });

  it('alarms on issuance executions that fail, time out or are stopped', () => {
    const names = alarms(templates.issuance)
      .filter((alarm) => alarm.Namespace === 'AWS/States')
      .map((alarm) => {
        expect(notifiesTopic(alarm)).toBe(true);
        return alarm.MetricName;
      });
    expect(names.sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
  });

  it('has the lifecycle alarms tell the topic too', () => {
    const lifecycle = alarms(templates.lifecycle).filter((alarm) => alarm.Namespace === 'Certwright');
    expect(lifecycle.map((alarm) => alarm.MetricName).sort()).toEqual(['MinDaysToExpiry', 'RenewalsFailing']);
    for (const alarm of lifecycle) expect(notifiesTopic(alarm)).toBe(true);
  });
});

describe('dead-letter queues', () => {
  it('gives every function EventBridge invokes a dead-letter queue that alarms as soon as it holds a message', () => {
    for (const [template, count] of [[templates.lifecycle, 2], [templates.issuance, 2]] as const) {
      const queues = resources(template, 'AWS::SQS::Queue').map(([id]) => id);
      expect(queues).toHaveLength(count);
      const configs = resources(template, 'AWS::Lambda::EventInvokeConfig').map(([, config]) => JSON.stringify(config));
      for (const queue of queues) {
        expect(configs.some((config) => config.includes(queue) && config.includes('OnFailure'))).toBe(true);
        const alarm = alarms(template).find((candidate) => JSON.stringify(candidate.Dimensions).includes(queue));
        expect(alarm?.MetricName).toBe('ApproximateNumberOfMessagesVisible');
        expect(notifiesTopic(alarm ?? {})).toBe(true);
      }
    }
  });
});

describe('API limits', () => {
  it('throttles the stage, and the public sign-in routes more', () => {
    templates.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      RouteSettings: {
        'POST /api/auth/login': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        'POST /api/auth/refresh': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      },
    });
  });

  it('takes other stage limits from the context', () => {
    const built = createCertwrightApp({ context: { 'aws:cdk:bundling-stacks': [], 'certwright:apiRateLimit': '500', 'certwright:apiBurstLimit': '1000' } });
    Template.fromStack(built.service).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }),
    });
  });
});
