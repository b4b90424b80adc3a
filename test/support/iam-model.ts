import type { Json } from './cloudformation.ts';
import { asArray } from './cloudformation.ts';

/**
 * The synthesized templates as AWS would see them once deployed: every intrinsic resolved to a concrete name or
 * ARN in one made-up account and region, so that an IAM evaluator can compare policies with recorded calls.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };

export interface StackTemplate {
  name: string;
  template: Json;
}

export interface FunctionRole {
  /** The function's entry file, as the local stack names it (`functions/api/platform.ts`). */
  entry: string;
  policies: { name: string; policy: Json }[];
  /** Its environment as deployed (the secret name prefix of its stage among it). */
  environment: Record<string, string>;
}

export class DeployedModel {
  private readonly exports = new Map<string, { stack: StackTemplate; value: unknown }>();

  constructor(private readonly stacks: readonly StackTemplate[]) {
    for (const stack of stacks) {
      for (const output of Object.values((stack.template.Outputs ?? {}) as Record<string, Json>)) {
        const name = (output.Export as Json | undefined)?.Name;
        if (name) this.exports.set(this.resolve(stack, name), { stack, value: output.Value });
      }
    }
  }

  /** The ARN of the one resource of this type (the table, the issuance state machine, the secrets key). */
  arnOfOnly(type: string): string {
    const found = this.stacks.flatMap((stack) =>
      Object.entries(this.resources(stack))
        .filter(([, resource]) => resource.Type === type)
        .map(([id]) => this.arn(stack, id)),
    );
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0] as string;
  }

  /** The resolved resource policy of the one resource of this type (a KMS key's key policy), if it has one. */
  resourcePolicyOfOnly(type: string, property: string): Json | undefined {
    for (const stack of this.stacks) {
      for (const resource of Object.values(this.resources(stack))) {
        if (resource.Type === type) return this.resolveDeep(stack, (resource.Properties as Json | undefined)?.[property]) as Json | undefined;
      }
    }
    return undefined;
  }

  /** Every function that names its entry file, with the policies of its role from any stack. */
  functions(): FunctionRole[] {
    const policiesByRole = new Map<string, { name: string; policy: Json }[]>();
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(this.resources(stack))) {
        const properties = (resource.Properties ?? {}) as Json;
        if (resource.Type === 'AWS::IAM::Policy') {
          for (const role of asArray((properties.Roles ?? []) as unknown[])) {
            const roleName = this.resolve(stack, role);
            policiesByRole.set(roleName, [...(policiesByRole.get(roleName) ?? []), { name: `${stack.name}.${id}`, policy: this.resolveDeep(stack, properties.PolicyDocument) as Json }]);
          }
        }
        if (resource.Type === 'AWS::IAM::Role') {
          const inline = ((properties.Policies ?? []) as Json[]).map((policy) => ({
            name: `${stack.name}.${id}.${String(policy.PolicyName)}`,
            policy: this.resolveDeep(stack, policy.PolicyDocument) as Json,
          }));
          const roleName = this.resolve(stack, { Ref: id });
          policiesByRole.set(roleName, [...(policiesByRole.get(roleName) ?? []), ...inline]);
        }
      }
    }
    return this.stacks.flatMap((stack) =>
      Object.values(this.resources(stack))
        .filter((resource) => resource.Type === 'AWS::Lambda::Function' && (resource.Metadata as Json | undefined)?.['certwright:entry'])
        .map((resource) => {
          const roleArn = this.resolve(stack, (resource.Properties as Json).Role);
          const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
          const variables = (((resource.Properties as Json).Environment ?? {}) as Json).Variables ?? {};
          const environment = Object.fromEntries(Object.entries(variables as Json).map(([key, value]) => [key, String(this.resolveDeep(stack, value))]));
          return { entry: String((resource.Metadata as Json)['certwright:entry']), policies: policiesByRole.get(roleName) ?? [], environment };
        }),
    );
  }

  private resources(stack: StackTemplate): Record<string, Json> {
    return (stack.template.Resources ?? {}) as Record<string, Json>;
  }

  private typeOf(stack: StackTemplate, id: string): string {
    const resource = this.resources(stack)[id];
    if (!resource) throw new Error(`${stack.name} has no resource ${id}`);
    return String(resource.Type);
  }

  /** What `Ref` gives for a resource, by type, as CloudFormation documents it. */
  private ref(stack: StackTemplate, id: string): string {
    const name = `${stack.name}-${id}`;
    switch (this.typeOf(stack, id)) {
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SNS::Topic':
        return this.arn(stack, id);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      default:
        return name;
    }
  }

  private arn(stack: StackTemplate, id: string): string {
    const name = `${stack.name}-${id}`;
    const type = this.typeOf(stack, id);
    const arns: Record<string, string> = {
      'AWS::DynamoDB::Table': `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
      'AWS::KMS::Key': `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`,
      'AWS::Lambda::Function': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
      'AWS::IAM::Role': `arn:aws:iam::${ACCOUNT}:role/${name}`,
      'AWS::StepFunctions::StateMachine': `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`,
      'AWS::SQS::Queue': `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      'AWS::SNS::Topic': `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`,
      'AWS::Logs::LogGroup': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`,
      'AWS::Events::Rule': `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`,
    };
    return arns[type] ?? `arn:aws:cloudformation:${REGION}:${ACCOUNT}:${type}/${name}`;
  }

  /** A CloudFormation expression as the string it becomes on deployment. */
  resolve(stack: StackTemplate, value: unknown): string {
    if (typeof value === 'string') return value;
    const node = value as Json;
    if ('Ref' in node) {
      const id = String(node.Ref);
      return PSEUDO[id] ?? this.ref(stack, id);
    }
    if ('Fn::GetAtt' in node) {
      const [id, attribute] = node['Fn::GetAtt'] as [string, string];
      if (attribute === 'Arn') return this.arn(stack, id);
      if (attribute === 'Name') return `${stack.name}-${id}`;
      return `${this.ref(stack, id)}.${attribute}`;
    }
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => this.resolve(stack, part)).join(separator);
    }
    if ('Fn::ImportValue' in node) {
      const name = this.resolve(stack, node['Fn::ImportValue']);
      const exported = this.exports.get(name);
      if (!exported) throw new Error(`no stack exports ${name}`);
      return this.resolve(exported.stack, exported.value);
    }
    if ('Fn::Select' in node) {
      const [index, list] = node['Fn::Select'] as [number, unknown];
      return this.resolveList(stack, list)[index] ?? '';
    }
    if ('Fn::Sub' in node) {
      const template = String(asArray(node['Fn::Sub'] as unknown)[0]);
      return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (PSEUDO[name]) return PSEUDO[name];
        const [id, attribute] = name.split('.');
        return this.resolve(stack, attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id });
      });
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  }

  private resolveList(stack: StackTemplate, value: unknown): string[] {
    const node = value as Json;
    if (Array.isArray(value)) return value.map((item) => this.resolve(stack, item));
    if ('Fn::Split' in node) {
      const [separator, source] = node['Fn::Split'] as [string, unknown];
      return this.resolve(stack, source).split(separator);
    }
    throw new Error(`cannot resolve the list ${JSON.stringify(value)}`);
  }

  /** A policy document with every intrinsic in it resolved. */
  private resolveDeep(stack: StackTemplate, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(stack, item));
    if (value && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::'))) return this.resolve(stack, value);
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, this.resolveDeep(stack, inner)]));
    }
    return value;
  }
}
