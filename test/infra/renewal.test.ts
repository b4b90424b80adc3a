import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config/env-names.ts';
import { synthesizedStack } from '../support/synthesized-app.ts';

type Json = Record<string, any>;
let lifecycle: Template;

/** The one resource of `type` whose properties contain `marker` (as JSON text). */
function only(type: string, marker: string): [string, Json] {
  const found = Object.entries(lifecycle.findResources(type)).filter(([, resource]) => JSON.stringify(resource).includes(marker));
  expect(found, `${type} with ${marker}`).toHaveLength(1);
  return found[0] as [string, Json];
}

/** Every statement of the policies attached to the role of the function `logicalId`. */
function statementsOf(functionLogicalId: string): Json[] {
  const role = (lifecycle.toJSON().Resources[functionLogicalId] as Json).Properties.Role['Fn::GetAtt'][0];
  return Object.values(lifecycle.findResources('AWS::IAM::Policy'))
    .filter((policy: Json) => policy.Properties.Roles.some((ref: Json) => ref.Ref === role))
    .flatMap((policy: Json) => policy.Properties.PolicyDocument.Statement);
}

beforeAll(async () => {
  // Without bundling: the template is what is checked here (the bundles are checked by template.test.ts).
  lifecycle = Template.fromJSON((await synthesizedStack('CertwrightLifecycle')).template);
}, 120_000);

describe('renewal schedule', () => {
  it('runs the renewal planner every 15 minutes, 500 a run (enough for a million 45-day certificates), with the order budget in its configuration', () => {
    const [planner, fn] = only('AWS::Lambda::Function', 'certwright: renewal-planner');
    expect(fn.Properties.Environment.Variables).toMatchObject({
      [ENV.renewalOrderLimit]: '300',
      [ENV.renewalOrderWindowMinutes]: '180',
      [ENV.renewalMaxPerRun]: '500',
      [ENV.acmeAccountsPerCa]: '1',
    });
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(expect.arrayContaining([ENV.tableName, ENV.issuanceStateMachineArn]));
    const [, rule] = only('AWS::Events::Rule', 'rate(15 minutes)');
    expect(JSON.stringify(rule.Properties.Targets)).toContain(planner);
  });

  it('lets the planner start workflow executions and use the renewal index, and nothing broader', () => {
    const [planner] = only('AWS::Lambda::Function', 'certwright: renewal-planner');
    const statements = statementsOf(planner);
    expect(statements.some((statement) => [statement.Action].flat().includes('states:StartExecution'))).toBe(true);
    const table = statements.find((statement) => [statement.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(table?.Resource)).toContain('/index/renewal-due');
    expect(statements.every((statement) => statement.Resource !== '*')).toBe(true);
  });

  it('sends expiry notices daily and may put events on the default bus only', () => {
    const [notices] = only('AWS::Lambda::Function', 'certwright: expiry-notices');
    const [, rule] = only('AWS::Events::Rule', 'cron(0 6 * * ? *)');
    expect(JSON.stringify(rule.Properties.Targets)).toContain(notices);
    const putEvents = statementsOf(notices).find((statement) => [statement.Action].flat().includes('events:PutEvents'));
    expect(JSON.stringify(putEvents?.Resource)).toContain(':event-bus/default');
  });

  it('alarms when a certificate gets close to expiry and when renewals keep failing', () => {
    const [, expiring] = only('AWS::CloudWatch::Alarm', 'MinDaysToExpiry');
    expect(expiring.Properties).toMatchObject({
      Namespace: 'Certwright',
      Statistic: 'Minimum',
      Threshold: 14,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    const [, failing] = only('AWS::CloudWatch::Alarm', 'RenewalsFailing');
    expect(failing.Properties).toMatchObject({ Statistic: 'Maximum', Period: 86_400, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });
});

describe('workflow outcome events', () => {
  it('lets the steps that record an outcome (and the recorder of executions ended abnormally, and the attempt sweeper), and the API functions that revoke, put events on the default bus', () => {
    const [, policy] = only('AWS::IAM::Policy', 'AnnounceOutcomes');
    expect(policy.Properties.Roles).toHaveLength(6);
    expect(JSON.stringify(policy.Properties.Roles)).toMatch(/storecertificate.*recordfailure.*executionended.*platform.*projects/i);
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(':event-bus/default');
  });
});
