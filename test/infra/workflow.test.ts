import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { IssuanceWorkflow, ROUTE53_CHANGE_CONDITIONS } from '../../infra/constructs/issuance-workflow.ts';
import type { IssuanceWorkflowProps, StepAccess } from '../../infra/constructs/issuance-workflow.ts';
import { IssuanceStack } from '../../infra/issuance-stack.ts';
import { ISSUANCE_STEPS, issuanceDefinition } from '../../infra/workflow/issuance-definition.ts';
import type { IssuanceStep } from '../../infra/workflow/issuance-definition.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { API_FUNCTIONS } from '../../shared/http/routes.ts';
import { API_FUNCTION_ACCESS } from '../../infra/constructs/api-function.ts';
import { asArray, render } from '../support/cloudformation.ts';
import type { Json, Statement } from '../support/cloudformation.ts';
import { synthesizedStack } from '../support/synthesized-app.ts';

const fixture = fileURLToPath(new URL('./fixtures/workflow-step.ts', import.meta.url));

type FakeStep = 'order' | 'present' | 'check' | 'clean-up' | 'record';
const STEPS: readonly FakeStep[] = ['order', 'present', 'check', 'clean-up', 'record'];
const ACCESS: Record<FakeStep, StepAccess> = {
  order: { table: 'write', secrets: { 'acme-accounts': ['read', 'write', 'delete'] }, route53: 'none' },
  present: { table: 'write', secrets: { 'acme-accounts': ['read'] }, route53: 'write' },
  check: { table: 'read', secrets: {}, route53: 'read' },
  'clean-up': { table: 'none', secrets: { 'dns-credentials': ['read'] }, route53: 'write' },
  record: { table: 'write', secrets: { certificates: ['delete'] }, route53: 'none' },
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

  it('gives each step only the secret store actions it names, on its kinds of secret, and the key only through Secrets Manager', () => {
    const statements = (step: FakeStep) => statementsOf(built.template, roleOfStep(built.template, built.logicalId(step)));
    const actions = (step: FakeStep, prefix: string) =>
      actionsOf(statements(step))
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
    expect(actions('order', 'kms:')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);

    const secretResources = (step: FakeStep) =>
      statements(step)
        .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('secretsmanager:')))
        .flatMap((statement) => asArray(statement.Resource).map(render));
    expect(secretResources('order')).toEqual([expect.stringMatching(/:secret:certwright\/prod\/acme-accounts\/\*$/)]);
    expect(secretResources('record')).toEqual([expect.stringMatching(/:secret:certwright\/prod\/certificates\/\*$/)]);
    // A step that reads DNS credentials reads those and no other secret.
    expect(actions('clean-up', 'secretsmanager:')).toEqual(['secretsmanager:GetSecretValue']);
    expect(secretResources('clean-up')).toEqual([expect.stringMatching(/:secret:certwright\/prod\/dns-credentials\/\*$/)]);
    for (const statement of statements('order').filter((candidate) => actionsOf([candidate]).some((action) => action.startsWith('kms:')))) {
      expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
    }
  });

  it('gives a step that only reads the table no write, and one without table access none', () => {
    const tableActions = (step: FakeStep) =>
      actionsOf(statementsOf(built.template, roleOfStep(built.template, built.logicalId(step))))
        .filter((action) => action.startsWith('dynamodb:'))
        .sort();
    expect(tableActions('check')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(tableActions('clean-up')).toEqual([]);
    expect(tableActions('record')).toContain('dynamodb:PutItem');
  });
});

describe('CertwrightIssuance stack', () => {
  let stack: IssuanceStack;
  let template: Template;
  let assemblyDirectory: string;
  const logicalId = (step: IssuanceStep) => stack.getLogicalId(stack.workflow.functions[step].node.defaultChild as CfnFunction);

  // One synth with bundling of every step (the bundles are checked below, as template.test.ts checks the API's).
  beforeAll(() => {
    const app = new App();
    const data = new Stack(app, 'Data');
    stack = new IssuanceStack(app, 'CertwrightIssuance', {
      table: Table.fromTableArn(data, 'Table', 'arn:aws:dynamodb:eu-west-1:111122223333:table/certwright'),
      secretKey: Key.fromKeyArn(data, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    assemblyDirectory = app.synth().directory;
    template = Template.fromStack(stack);
  }, 180_000);

  it('deploys the very definition the local stack runs: same states, each task on its own step Lambda', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as { Properties: Json }[];
    expect(machines).toHaveLength(1);
    const deployed = JSON.parse(render(machines[0]!.Properties.DefinitionString)) as { States: Json; TimeoutSeconds: number };
    const shared = issuanceDefinition((step) => `\${${logicalId(step)}.Arn}`) as { States: Json };

    expect(Object.keys(deployed.States).sort()).toEqual(Object.keys(shared.States).sort());
    expect(deployed).toEqual(shared);
    expect(deployed.TimeoutSeconds).toBeGreaterThan(0);
    expect(machines[0]!.Properties).toMatchObject({ StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true } });
  });

  it('lets only the presenting and cleaning steps change Route 53 records, and only _acme-challenge.* TXT', () => {
    const changers = ISSUANCE_STEPS.filter((step) =>
      actionsOf(statementsOf(template, roleOfStep(template, logicalId(step)))).includes('route53:ChangeResourceRecordSets'),
    );
    expect(changers.sort()).toEqual(['clean-up', 'present-challenges']);

    const changes = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement)
      .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('route53:Change')));
    // The two steps, the recorder of executions that ended abnormally and the attempt sweeper (both run the same clean-up).
    expect(changes).toHaveLength(4);
    for (const statement of changes) {
      expect(statement.Action).toBe('route53:ChangeResourceRecordSets');
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
      });
    }
  });

  it('uses Resource "*" only where the service has no resource-level permission', () => {
    const allowed = new Set([
      'route53:ListHostedZonesByName',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    for (const statement of statements.filter((candidate) => asArray(candidate.Resource).includes('*'))) {
      for (const action of asArray(statement.Action)) expect(allowed.has(action), action).toBe(true);
    }
  });

  it('ships a bundle per step that loads on Node 22 and exports its handler', async () => {
    for (const step of ISSUANCE_STEPS) {
      const code = (template.toJSON().Resources[logicalId(step)] as { Properties: { Code: { S3Key: string } } }).Properties.Code;
      const bundle = join(assemblyDirectory, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(typeof m.handler);`,
        ],
        { env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', [ENV.tableName]: 'certwright-test' } },
      );
      expect(stdout.trim(), step).toBe('function');
    }
  });
});

describe('CDK app', () => {
  let service: Template;
  let issuance: Template;
  // Without bundling (the app synthesized once for the infra tests): the bundles are checked above and in template.test.ts.
  beforeAll(async () => {
    service = Template.fromJSON((await synthesizedStack('CertwrightService')).template);
    issuance = Template.fromJSON((await synthesizedStack('CertwrightIssuance')).template);
  }, 120_000);

  it('lets the API functions that obtain and renew (platform, projects) start executions of the issuance state machine, and do nothing else with Step Functions', () => {
    const machines = Object.keys(issuance.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const machine = machines[0];
    const exports = Object.values(issuance.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>);
    /** The issuance stack output an import in the service stack reads. */
    const exported = (value: unknown) => exports.find((output) => `\${Import:${output.Export?.Name}}` === render(value))?.Value;

    const stepFunctionsStatements = Object.values(service.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement)
      .filter((statement) => actionsOf([statement]).some((action) => action.startsWith('states:')));
    expect(stepFunctionsStatements).toHaveLength(API_FUNCTIONS.filter((name) => API_FUNCTION_ACCESS[name].startsIssuance).length);
    expect(API_FUNCTIONS.filter((name) => API_FUNCTION_ACCESS[name].startsIssuance).sort()).toEqual(['platform', 'projects']);
    for (const statement of stepFunctionsStatements) {
      expect(statement.Action).toBe('states:StartExecution');
      expect(exported(statement.Resource)).toEqual({ Ref: machine });
    }
    for (const name of API_FUNCTIONS) {
      const functions = Object.values(service.findResources('AWS::Lambda::Function', { Metadata: { 'certwright:entry': `functions/api/${name}.ts` } }));
      expect(functions, name).toHaveLength(1);
      const variables = (functions[0] as { Properties: { Environment: { Variables: Json } } }).Properties.Environment.Variables;
      expect(exported(variables[ENV.issuanceStateMachineArn]), name).toEqual({ Ref: machine });
    }
  });
});
