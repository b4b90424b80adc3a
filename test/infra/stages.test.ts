import { beforeAll, describe, expect, it } from 'vitest';
import { createCertwrightApp } from '../../infra/app.ts';
import { STAGE_CONTEXT } from '../../infra/constructs/stage.ts';
import type { Json } from '../support/cloudformation.ts';
import { synthesizedApp } from '../support/synthesized-app.ts';

/**
 * Two stages in one account and region, as an operator deploys them (`cdk deploy --all` and again with
 * `-c certwright:stage=staging`): CloudFormation refuses a second stack, export or explicitly named resource of
 * the same name, and two stages must not share secrets or alarm on each other's metrics.
 */
interface Synthesized {
  stacks: string[];
  exports: string[];
  /** Every literal physical name (`TableName`, `FunctionName`, `QueueName`...), as `Type.Property=value`. */
  names: string[];
  /** Every secret ARN pattern in a role policy. */
  secretResources: string[];
  /** The dimensions of every alarm on a certwright (not AWS/...) metric. */
  metricDimensions: Json[];
  stageVariables: string[];
}

const NAME_PROPERTY = /^[A-Z][A-Za-z]*Name$/;

async function synthesize(stage?: string): Promise<Synthesized> {
  const result: Synthesized = { stacks: [], exports: [], names: [], secretResources: [], metricDimensions: [], stageVariables: [] };
  for (const stack of await synthesizedApp(stage ? { [STAGE_CONTEXT]: stage } : {})) {
    result.stacks.push(stack.stackName);
    const template = stack.template as Json;
    for (const output of Object.values((template.Outputs ?? {}) as Record<string, Json>)) {
      const name = (output.Export as Json | undefined)?.Name;
      if (name !== undefined) result.exports.push(JSON.stringify(name));
    }
    for (const resource of Object.values((template.Resources ?? {}) as Record<string, Json>)) {
      const properties = (resource.Properties ?? {}) as Json;
      for (const [key, value] of Object.entries(properties)) {
        // A literal name (not a reference to another resource); names scoped to their parent (a role's inline policy,
        // an API's stage, a table's attribute or index) or not unique by design (metric, display names) do not collide.
        const scoped = ['AttributeName', 'IndexName', 'MetricName', 'DisplayName', 'PolicyName', 'StageName'];
        if (NAME_PROPERTY.test(key) && typeof value === 'string' && !scoped.includes(key)) {
          result.names.push(`${String(resource.Type)}.${key}=${JSON.stringify(value)}`);
        }
      }
      if (resource.Type === 'AWS::IAM::Policy') {
        for (const statement of ((properties.PolicyDocument as Json).Statement ?? []) as Json[]) {
          const text = JSON.stringify(statement.Resource);
          if (text.includes(':secret:')) result.secretResources.push(text);
        }
      }
      if (resource.Type === 'AWS::CloudWatch::Alarm' && !String(properties.Namespace ?? '').startsWith('AWS/') && properties.Namespace) {
        result.metricDimensions.push(properties.Dimensions as Json);
      }
      if (resource.Type === 'AWS::Lambda::Function') {
        const variables = (((properties.Environment ?? {}) as Json).Variables ?? {}) as Json;
        result.stageVariables.push(String(variables.CERTWRIGHT_STAGE));
      }
    }
  }
  return result;
}

let prod: Synthesized;
let staging: Synthesized;
beforeAll(async () => {
  prod = await synthesize();
  staging = await synthesize('staging');
}, 120_000);

const shared = (a: readonly string[], b: readonly string[]) => a.filter((value) => b.includes(value));

describe('two stages side by side', () => {
  it('names every stack after its stage, prod by default', () => {
    expect(prod.stacks.sort()).toEqual(['CertwrightData-prod', 'CertwrightIssuance-prod', 'CertwrightLifecycle-prod', 'CertwrightService-prod']);
    expect(staging.stacks.every((name) => name.endsWith('-staging'))).toBe(true);
    expect(shared(prod.stacks, staging.stacks)).toEqual([]);
  });

  it('shares no export and no explicitly named resource', () => {
    expect(prod.exports.length).toBeGreaterThan(0);
    expect(shared(prod.exports, staging.exports)).toEqual([]);
    expect(shared(prod.names, staging.names)).toEqual([]);
  });

  it("grants each stage's roles only its own secrets", () => {
    expect(prod.secretResources.length).toBeGreaterThan(0);
    expect(prod.secretResources.every((resource) => resource.includes(':secret:certwright/prod/'))).toBe(true);
    expect(staging.secretResources.every((resource) => resource.includes(':secret:certwright/staging/'))).toBe(true);
  });

  it("alarms each stage on its own lifecycle metrics, which every function labels with its stage", () => {
    expect(prod.metricDimensions.length).toBeGreaterThan(0);
    for (const dimensions of prod.metricDimensions) expect(dimensions).toContainEqual({ Name: 'stage', Value: 'prod' });
    for (const dimensions of staging.metricDimensions) expect(dimensions).toContainEqual({ Name: 'stage', Value: 'staging' });
    expect(new Set(staging.stageVariables)).toEqual(new Set(['staging']));
  });

  it('refuses a stage name that cannot be part of stack and secret names', () => {
    expect(() => createCertwrightApp({ context: { 'aws:cdk:bundling-stacks': [], [STAGE_CONTEXT]: 'Prod_1' } }).app.synth()).toThrow(/certwright:stage "Prod_1" must be/);
  });
});
