import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { IssuanceStack } from '../../infra/issuance-stack.ts';
import { synthesizedStack } from '../support/synthesized-app.ts';

/** Statements that allow GetSecretValue on anything but the DNS credentials' prefix. */
const secretReadsOutsideDnsCredentials = (statements: Json[]): Json[] =>
  statements.filter(
    (statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue') && !JSON.stringify(statement.Resource).includes('dns-credentials/*'),
  );

type Json = Record<string, any>;

/** Every statement of the identity policies attached to `roleId`. */
function statementsOfRole(template: Template, roleId: string): Json[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Json>)
    .filter((policy) => (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[]);
}
const actions = (statements: Json[]) => statements.flatMap((statement) => [statement.Action].flat() as string[]).sort();

let issuance: { stack: IssuanceStack; template: Template } | undefined;

/** The issuance stack alone (one synth for the file), on an imported table and key, with the logical ids of `fn` and the state machine. */
function issuanceStack(fn: (stack: IssuanceStack) => LambdaFunction | undefined) {
  if (!issuance) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const data = new Stack(app, 'Data');
    const stack = new IssuanceStack(app, 'CertwrightIssuance', {
      table: Table.fromTableArn(data, 'Table', 'arn:aws:dynamodb:eu-west-1:111122223333:table/certwright'),
      secretKey: Key.fromKeyArn(data, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    issuance = { stack, template: Template.fromStack(stack) };
  }
  const { stack, template } = issuance;
  return {
    template,
    functionId: stack.getLogicalId(fn(stack)!.node.defaultChild as CfnFunction),
    machineId: stack.getLogicalId(stack.workflow.stateMachine.node.defaultChild as CfnStateMachine),
  };
}

/**
 * The roles that the whole app's lifecycle stack lets put events, and the role of the function deployed from `entry`
 * in its issuance stack (the app synthesized once for the infra tests, see synthesized-app.ts).
 */
async function announcers(entry: string): Promise<{ roles: string; role: string }> {
  const lifecycle = Template.fromJSON((await synthesizedStack('CertwrightLifecycle')).template);
  const roles = JSON.stringify(
    Object.values(lifecycle.findResources('AWS::IAM::Policy') as Record<string, Json>)
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('events:PutEvents'))
      .map((policy) => policy.Properties.Roles),
  );
  const functions = Template.fromJSON((await synthesizedStack('CertwrightIssuance')).template).findResources('AWS::Lambda::Function', {
    Metadata: { 'certwright:entry': entry },
  });
  expect(Object.keys(functions), entry).toHaveLength(1);
  const [fn] = Object.values(functions) as Json[];
  return { roles, role: fn!.Properties.Role['Fn::GetAtt'][0] as string };
}



describe('executions that end without their own failure path, in AWS', () => {
  let template: Template;
  let functionId: string;
  let machineId: string;
  let announcing: { roles: string; role: string };

  beforeAll(async () => {
    ({ template, functionId, machineId } = issuanceStack((stack) => stack.workflow.endedExecutionFunction));
    announcing = await announcers('functions/workflow/execution-ended.ts');
  }, 120_000);

  it('an EventBridge rule sends TIMED_OUT, ABORTED and FAILED status changes of this state machine, and only those, to their Lambda', () => {
    const patternRules = Object.entries(template.findResources('AWS::Events::Rule') as Record<string, Json>).filter(
      ([, rule]) => rule.Properties.EventPattern,
    );
    expect(patternRules).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: machineId }], status: ['TIMED_OUT', 'ABORTED', 'FAILED'] },
      },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) }),
      ],
    });
    // Only that rule may invoke it.
    const rule = patternRules[0]![0];
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
    });
  });

  it('the Lambda may do what clean-up and record-failure do and nothing more: the table, deleting secrets, _acme-challenge TXT changes', () => {
    const fn = template.toJSON().Resources[functionId] as Json;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    const statements = statementsOfRole(template, fn.Properties.Role['Fn::GetAtt'][0]);
    const granted = actions(statements);
    expect(granted).toContain('secretsmanager:DeleteSecret');
    // It reads secrets only to clean up with a user's DNS credentials: those under dns-credentials/, no other.
    expect(secretReadsOutsideDnsCredentials(statements)).toEqual([]);
    expect(granted).not.toContain('secretsmanager:CreateSecret');
    expect(granted.filter((action) => action.startsWith('states:') || action.startsWith('lambda:'))).toEqual([]);
    const change = statements.find((statement) => statement.Action === 'route53:ChangeResourceRecordSets');
    expect(change?.Condition).toEqual({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
    });
    expect(granted.filter((action) => action.startsWith('dynamodb:'))).not.toContain('dynamodb:Scan');
  });

  it('the Lambda may announce the outcome (Certificate Renewal Failed) on the default bus, as record-failure does', () => {
    expect(announcing.roles).toContain(announcing.role);
  });
});

describe('the attempt sweeper, in AWS', () => {
  let template: Template;
  let functionId: string;
  let machineId: string;
  let announcing: { roles: string; role: string };

  beforeAll(async () => {
    ({ template, functionId, machineId } = issuanceStack((stack) => stack.workflow.sweeperFunction));
    announcing = await announcers('functions/scheduled/attempt-sweeper.ts');
  }, 120_000);

  it('runs every 5 minutes, knows the state machine, and leaves attempts younger than 5 minutes alone', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } })],
    });
    const fn = template.toJSON().Resources[functionId] as Json;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      CERTWRIGHT_ISSUANCE_STATE_MACHINE_ARN: { Ref: machineId },
      CERTWRIGHT_SWEEPER_GRACE_MINUTES: '5',
    });
  });

  it('may describe executions of this state machine only, and otherwise do what the ended-execution handler does', () => {
    const fn = template.toJSON().Resources[functionId] as Json;
    const statements = statementsOfRole(template, fn.Properties.Role['Fn::GetAtt'][0]);
    const granted = actions(statements);
    expect(granted.filter((action) => action.startsWith('states:') || action.startsWith('lambda:'))).toEqual(['states:DescribeExecution']);
    const describe = statements.find((statement) => statement.Action === 'states:DescribeExecution')!;
    expect(JSON.stringify(describe.Resource)).toContain(':execution:');
    expect(JSON.stringify(describe.Resource)).toContain(`"Fn::GetAtt":["${machineId}","Name"]`);
    expect(granted).toContain('secretsmanager:DeleteSecret');
    expect(secretReadsOutsideDnsCredentials(statements)).toEqual([]);
    expect(granted).not.toContain('dynamodb:Scan');
    expect(JSON.stringify(statements)).toContain('/index/attempts-in-flight');
  });

  it('announces what it records (Certificate Renewal Failed), as the ended-execution handler does', () => {
    expect(announcing.roles).toContain(announcing.role);
  });
});
