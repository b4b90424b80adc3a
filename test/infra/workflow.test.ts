import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { IssuanceWorkflow, ROUTE53_CHANGE_CONDITIONS } from '../../infra/constructs/issuance-workflow.ts';
import type { IssuanceWorkflowProps, StepAccess } from '../../infra/constructs/issuance-workflow.ts';

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A CloudFormation string expression as readable text: `{Ref: X}` becomes `${X}`, `{Fn::GetAtt: [X, Arn]}` `${X.Arn}`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if ('Ref' in node) return `\${${String(node.Ref)}}`;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Fn::GetAtt' in node) return `\${${(node['Fn::GetAtt'] as string[]).join('.')}}`;
  return JSON.stringify(value);
}

const fixture = fileURLToPath(new URL('./fixtures/workflow-step.ts', import.meta.url));

type FakeStep = 'order' | 'present' | 'check' | 'clean-up' | 'record';
const STEPS: readonly FakeStep[] = ['order', 'present', 'check', 'clean-up', 'record'];
const ACCESS: Record<FakeStep, StepAccess> = {
  order: { secrets: ['read', 'write', 'delete'], route53: 'none' },
  present: { secrets: ['read'], route53: 'write' },
  check: { secrets: [], route53: 'read' },
  'clean-up': { secrets: [], route53: 'write' },
  record: { secrets: ['delete'], route53: 'none' },
};

/** Shaped like the real definition: lambda:invoke tasks named by the step's ARN, a Wait loop, a total timeout. */
const fakeDefinition = (arn: (step: FakeStep) => string): Json => {
  const task = (step: FakeStep, next: string) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: arn(step), 'Payload.$': '$' },
    Next: next,
  });
  return {
    TimeoutSeconds: 600,
    StartAt: 'Order',
    States: {
      Order: task('order', 'Present'),
      Present: task('present', 'Check'),
      Check: task('check', 'Visible'),
      Visible: { Type: 'Choice', Choices: [{ Variable: '$.ready', BooleanEquals: true, Next: 'CleanUp' }], Default: 'Wait' },
      Wait: { Type: 'Wait', Seconds: 10, Next: 'Check' },
      CleanUp: task('clean-up', 'Record'),
      Record: task('record', 'Done'),
      Done: { Type: 'Succeed' },
    },
  };
};

/** One synth with the AwsSolutions checks: an unacknowledged cdk-nag finding makes synth throw. */
function synth(overrides: Partial<IssuanceWorkflowProps<FakeStep>> = {}) {
  // No bundling: these tests are about the template; the real app's test bundles every step.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'WorkflowTest');
  const workflow = new IssuanceWorkflow(stack, 'Issuance', {
    steps: STEPS,
    definition: fakeDefinition,
    access: ACCESS,
    table: Table.fromTableArn(stack, 'Table', 'arn:aws:dynamodb:eu-west-1:111122223333:table/certwright'),
    secretKey: Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    entry: () => fixture,
    ...overrides,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  const template = Template.fromStack(stack);
  const logicalId = (step: FakeStep) => stack.getLogicalId(workflow.functions[step].node.defaultChild as CfnFunction);
  return { template, workflow, stack, logicalId };
}

/** The statements of the role of one step's function. */
function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } }
  >;
  return Object.values(policies)
    .filter((policy) => policy.Properties.Roles.some((role) => render(role) === `\${${roleLogicalId}}`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function roleOfStep(template: Template, functionLogicalId: string): string {
  const fn = template.toJSON().Resources[functionLogicalId] as { Properties: { Role: unknown } };
  return /^\$\{(.+)\.Arn\}$/.exec(render(fn.Properties.Role))![1]!;
}

const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => asArray(statement.Action));

describe('IssuanceWorkflow construct', () => {
  const built = synth();

  it('deploys the definition function unchanged, each task naming its own step Lambda', () => {
    const [machine] = Object.values(built.template.findResources('AWS::StepFunctions::StateMachine')) as { Properties: Json }[];
    const deployed = JSON.parse(render(machine!.Properties.DefinitionString)) as Json;

    expect(deployed).toEqual(fakeDefinition((step) => `\${${built.logicalId(step)}.Arn}`));
    expect(machine!.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('creates one nodejs22.x arm64 Lambda per step, from its own entry', () => {
    const functions = built.template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).sort()).toEqual(STEPS.map(built.logicalId).sort());
    for (const fn of Object.values(functions) as { Properties: Json }[]) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 60 });
    }
  });

  it('lets the state machine invoke exactly its step functions, unqualified', () => {
    const machineRole = built.stack.getLogicalId(built.workflow.stateMachine.role.node.defaultChild as never);
    const invoke = statementsOf(built.template, machineRole).filter((statement) =>
      actionsOf([statement]).includes('lambda:InvokeFunction'),
    );

    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0]!.Resource).map(render).sort()).toEqual(STEPS.map((step) => `\${${built.logicalId(step)}.Arn}`).sort());
  });

  it('refuses a definition without a total timeout, or naming a step it does not have', () => {
    expect(() => synth({ definition: (arn) => ({ ...fakeDefinition(arn), TimeoutSeconds: undefined }) })).toThrow(/TimeoutSeconds/);
    expect(() => synth({ steps: ['order', 'present', 'check', 'clean-up'] })).toThrow(/"record"/);
  });

  describe('Route 53 permissions', () => {
    const statementsOfStep = (step: FakeStep, template = built.template, logicalId = built.logicalId) =>
      statementsOf(template, roleOfStep(template, logicalId(step)));

    it('lets the writing steps change only TXT records named _acme-challenge.*, in any batch', () => {
      for (const step of ['present', 'clean-up'] as const) {
        const changes = statementsOfStep(step).filter((statement) => actionsOf([statement]).includes('route53:ChangeResourceRecordSets'));
        expect(changes, step).toHaveLength(1);
        expect(asArray(changes[0]!.Action)).toEqual(['route53:ChangeResourceRecordSets']);
        expect(changes[0]!.Condition).toEqual({
          'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
          'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        });
        expect(changes[0]!.Condition).toEqual(ROUTE53_CHANGE_CONDITIONS);
        expect(asArray(changes[0]!.Resource).map(render)).toEqual(['arn:${AWS::Partition}:route53:::hostedzone/*']);
      }
    });

    it('gives the writing steps exactly the reads the DNS provider makes, and no other Route 53 action', () => {
      const route53 = actionsOf(statementsOfStep('present')).filter((action) => action.startsWith('route53:'));
      expect(route53.sort()).toEqual([
        'route53:ChangeResourceRecordSets',
        'route53:GetChange',
        'route53:GetHostedZone',
        'route53:ListHostedZonesByName',
        'route53:ListResourceRecordSets',
      ]);
      // Only listing zones by name has no resource-level permission.
      for (const statement of statementsOfStep('present')) {
        if (asArray(statement.Resource).includes('*')) expect(statement.Action).toBe('route53:ListHostedZonesByName');
      }
    });

    it('gives a read-only step no change, and the other steps no Route 53 at all', () => {
      expect(actionsOf(statementsOfStep('check'))).not.toContain('route53:ChangeResourceRecordSets');
      expect(actionsOf(statementsOfStep('check'))).toContain('route53:GetChange');
      for (const step of ['order', 'record'] as const) {
        expect(
          actionsOf(statementsOfStep(step)).filter((action) => action.startsWith('route53:')),
          step,
        ).toEqual([]);
      }
    });

    it('narrows record changes to the given hosted zones', () => {
      const narrowed = synth({ hostedZoneIds: ['/hostedzone/Z111', 'Z222'] });
      const changes = statementsOfStep('present', narrowed.template, narrowed.logicalId).find((statement) =>
        actionsOf([statement]).includes('route53:ChangeResourceRecordSets'),
      );
      expect(asArray(changes!.Resource).map(render)).toEqual([
        'arn:${AWS::Partition}:route53:::hostedzone/Z111',
        'arn:${AWS::Partition}:route53:::hostedzone/Z222',
      ]);
    });
  });

  it('gives each step only the secret store actions it names, and the key only for them', () => {
    const actions = (step: FakeStep, prefix: string) =>
      actionsOf(statementsOf(built.template, roleOfStep(built.template, built.logicalId(step))))
        .filter((action) => action.startsWith(prefix))
        .sort();

    expect(actions('check', 'secretsmanager:')).toEqual([]);
    expect(actions('check', 'kms:')).toEqual([]);
    expect(actions('present', 'secretsmanager:')).toEqual(['secretsmanager:GetSecretValue']);
    expect(actions('present', 'kms:')).toEqual(['kms:Decrypt']);
    expect(actions('record', 'secretsmanager:')).toEqual(['secretsmanager:DeleteSecret']);
    expect(actions('record', 'kms:')).toEqual([]);
    expect(actions('order', 'secretsmanager:')).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    expect(actions('order', 'kms:')).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
  });
});
