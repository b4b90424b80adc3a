import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { LOCAL_FUNCTION_PREFIX, localIssuanceDefinition } from '../../infra/local/local-workflow.ts';
import { IssuanceStack } from '../../infra/issuance-stack.ts';
import { ISSUANCE_TASK_STATES, RETRYABLE_ERRORS, issuanceDefinition } from '../../infra/workflow/issuance-definition.ts';

type Json = Record<string, any>;

/** The DefinitionString as JSON text: every CloudFormation token inside it becomes the text TOKEN. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if ('Fn::Join' in node) return (node['Fn::Join'][1] as unknown[]).map(render).join(node['Fn::Join'][0]);
  return 'TOKEN';
}

/** The definition with each task's FunctionName replaced by the step its state runs, so two bindings compare. */
function byStep(definition: Json): Json {
  const copy = structuredClone(definition);
  for (const [name, state] of Object.entries(copy.States as Record<string, Json>)) {
    if (state.Type === 'Task') state.Parameters.FunctionName = `step:${ISSUANCE_TASK_STATES[name]}`;
  }
  return copy;
}

function deployedDefinition(): Json {
  // Synthesis without bundling: the template is what matters here, not the Lambda code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const data = new Stack(app, 'Data');
  const table = new Table(data, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const stack = new IssuanceStack(app, 'Issuance', { table, secretKey: new Key(data, 'Key') });
  const machines = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine')) as Json[];
  expect(machines).toHaveLength(1);
  return JSON.parse(render(machines[0]!.Properties.DefinitionString)) as Json;
}

describe('the issuance workflow definition', () => {
  it('is the same in the CDK template and on the local stack: both come from issuanceDefinition', () => {
    const deployed = deployedDefinition();
    const local = localIssuanceDefinition();
    expect(byStep(deployed)).toEqual(byStep(local));
    expect(byStep(local)).toEqual(byStep(issuanceDefinition((step) => step)));
    for (const [name, state] of Object.entries(local.States as Record<string, Json>)) {
      if (state.Type === 'Task') expect(state.Parameters.FunctionName).toBe(`${LOCAL_FUNCTION_PREFIX}${ISSUANCE_TASK_STATES[name]}`);
    }
  });

  it('is valid ASL in JSONPath, with lambda:invoke tasks, bounded loops and a total deadline', () => {
    const definition = issuanceDefinition((step) => `arn:aws:lambda:us-east-1:123456789012:function:${step}`);
    expect(() => new StateMachine(definition as never)).not.toThrow();
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    expect(JSON.stringify(definition)).not.toMatch(/JSONata|"ResultPath":"\$"|Assign|\$\$\.State/);
    const states = definition.States as Record<string, Json>;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        expect(state.Resource, name).toBe('arn:aws:states:::lambda:invoke');
        expect(state.Catch?.[0]?.ErrorEquals, name).toEqual(['States.ALL']);
        // Retries name only errors worth another try, with backoff and full jitter.
        const retried = (state.Retry as Json[]).flatMap((retry) => retry.ErrorEquals as string[]);
        expect(retried.every((error) => [...RETRYABLE_ERRORS, 'AcmeRateLimitedError'].includes(error as never)), name).toBe(true);
        expect(retried).not.toContain('States.ALL');
        for (const retry of state.Retry as Json[]) expect(retry).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2 });
      }
      // Every loop back goes through a Choice with a counter bound.
      if (state.Type === 'Choice') expect((state.Choices as Json[]).some((choice) => 'NumericGreaterThanEquals' in choice), name).toBe(true);
    }
    // Every failure path cleans up, then records the failure.
    expect(states.CleanUpAfterFailure?.Next).toBe('RecordFailure');
    expect(states.StoreCertificate?.Next).toBe('CleanUp');
  });
});
