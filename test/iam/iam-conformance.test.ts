import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { KEY_STORE_CONTEXT } from '../../infra/constructs/key-store.ts';
import { DEFAULT_SECRET_PREFIX, ENV } from '../../shared/config/env-names.ts';
import type { AwsCall, AwsResource } from '../support/aws-calls.ts';
import { AWS_CALLS_DIR } from '../support/aws-calls-dir.ts';
import type { Json } from '../support/cloudformation.ts';
import { asArray } from '../support/cloudformation.ts';
import { ACCOUNT, DeployedModel, REGION } from '../support/iam-model.ts';
import type { FunctionRole } from '../support/iam-model.ts';
import { synthesizedApp } from '../support/synthesized-app.ts';

/**
 * The IAM conformance check: every AWS call a function made while the rest of the suite ran (recorded by
 * test/support/aws-calls.ts) is evaluated against that function's role in the synthesized templates by an IAM
 * policy evaluator, conditions included. A call AWS would deny fails here. It also lists the least-privilege table:
 * what each function's role grants that no test exercised (`CERTWRIGHT_WRITE_IAM_TABLE=1 npm test` writes it into
 * docs/iam.md).
 *
 * It runs after the rest of the suite (vitest project `iam`, a later group) and needs its recordings: run it with
 * `npm test`, not alone.
 */
let calls: AwsCall[];
let functions: FunctionRole[];
let model: DeployedModel;
/** The same app with `certwright:keyStore=envelope`: the envelope key store's KMS calls are held against its roles. */
let envelopeFunctions: FunctionRole[];
let envelopeModel: DeployedModel;

function readCalls(): AwsCall[] {
  const directory = process.env[AWS_CALLS_DIR];
  if (!directory) return [];
  const unique = new Map<string, AwsCall>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(directory, file), 'utf8').split('\n').filter(Boolean)) unique.set(line, JSON.parse(line) as AwsCall);
  }
  return [...unique.values()];
}

/**
 * The local stack names secrets under the default prefix (`certwright/`); a deployed function names them under its
 * stage's (`certwright/prod/`, from its environment), so a recorded name is checked as the deployed function makes it.
 */
function deployedSecretName(role: FunctionRole, name: string): string {
  const prefix = role.environment[ENV.secretPrefix];
  return prefix && name.startsWith(DEFAULT_SECRET_PREFIX) ? `${prefix}${name.slice(DEFAULT_SECRET_PREFIX.length)}` : name;
}

function arnOf(resource: AwsResource, role: FunctionRole): string {
  switch (resource.kind) {
    case 'table': {
      const table = model.arnOfOnly('AWS::DynamoDB::Table');
      return resource.index ? `${table}/index/${resource.index}` : table;
    }
    case 'secret':
      // Secrets Manager appends six random characters to every secret's ARN.
      return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${deployedSecretName(role, resource.name)}-AbCdEf`;
    case 'secret-key':
    case 'envelope-key':
      return model.arnOfOnly('AWS::KMS::Key');
    case 'state-machine':
      return model.arnOfOnly('AWS::StepFunctions::StateMachine');
    case 'execution': {
      // arn:aws:states:<region>:<account>:execution:<state machine name>:<execution name (the attempt id)>
      const machine = model.arnOfOnly('AWS::StepFunctions::StateMachine');
      return `${machine.replace(':stateMachine:', ':execution:')}:0190d6b3-attempt`;
    }
    case 'event-bus':
      return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
    case 'hosted-zone':
      return 'arn:aws:route53:::hostedzone/Z0CERTWRIGHTTEST';
    case 'dns-change':
      return 'arn:aws:route53:::change/C0CERTWRIGHTTEST';
    case 'any':
      return '*';
  }
}

async function decide(role: FunctionRole, call: AwsCall, deployed: DeployedModel): Promise<string> {
  const usesKey = call.resource.kind === 'secret-key' || call.resource.kind === 'envelope-key';
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/certwright-test`,
        action: call.action,
        resource: { resource: arnOf(call.resource, role), accountId: ACCOUNT },
        contextVariables: call.context ?? {},
      },
      identityPolicies: role.policies.map(({ name, policy }) => ({ name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // KMS honours IAM policies only where the key policy lets it (CDK's default key policy delegates to the account).
      ...(usesKey ? { resourcePolicy: deployed.resourcePolicyOfOnly('AWS::KMS::Key', 'KeyPolicy') } : {}),
    },
    {},
  );
  if (result.resultType === 'error') return `error: ${result.errors.message}`;
  return result.overallResult;
}

/** The actions a role's Allow statements name (the runtime's own log writes left out: every function has them). */
function grantedActions(role: FunctionRole): string[] {
  const actions = role.policies.flatMap(({ policy }) =>
    asArray((policy.Statement ?? []) as Json[])
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => asArray(statement.Action as string | string[])),
  );
  return [...new Set(actions)].filter((action) => !action.startsWith('logs:')).sort();
}

/** A call only the envelope key store makes: KMS asked directly, or a key item of the table (`PRIVATEKEY#`). */
const isEnvelopeCall = (call: AwsCall): boolean =>
  call.resource.kind === 'envelope-key' || (call.context?.['dynamodb:LeadingKeys'] ?? []).includes('PRIVATEKEY#x');

/** The deployed app (synthesized once per run for every infra test file that reads it, see synthesized-app.ts). */
async function synthesized(context: Record<string, unknown>): Promise<DeployedModel> {
  return new DeployedModel((await synthesizedApp(context)).map((stack) => ({ name: stack.stackName, template: stack.template })));
}

beforeAll(async () => {
  calls = readCalls();
  model = await synthesized({});
  functions = model.functions();
});

// A second synthesis (as long as the first), only when a test ran with the envelope key store.
beforeAll(async () => {
  envelopeModel = calls.some(isEnvelopeCall) ? await synthesized({ [KEY_STORE_CONTEXT]: 'envelope' }) : model;
  envelopeFunctions = envelopeModel.functions();
}, 120_000);

describe('IAM conformance of the deployed roles', () => {
  it('recorded the calls of the suite (run it with npm test)', () => {
    expect(calls.length).toBeGreaterThan(0);
    const entries = new Set(functions.map((fn) => fn.entry));
    const unknown = [...new Set(calls.map((call) => call.function))].filter((entry) => !entries.has(entry));
    expect(unknown, 'calls made by functions that the templates do not deploy').toEqual([]);
  });

  it('allows every AWS call each function made, conditions included', async () => {
    const denied: string[] = [];
    for (const call of calls) {
      const envelope = isEnvelopeCall(call);
      const role = (envelope ? envelopeFunctions : functions).find((fn) => fn.entry === call.function);
      if (!role) continue;
      const decision = await decide(role, call, envelope ? envelopeModel : model);
      if (decision !== 'Allowed') denied.push(`${call.function}: ${call.action} on ${arnOf(call.resource, role)} ${JSON.stringify(call.context ?? {})} -> ${decision}`);
    }
    expect(denied.sort()).toEqual([]);
  });

  it('lists what each role grants that no test exercised (docs/iam.md)', () => {
    const rows = functions
      .map((fn) => {
        const used = new Set(calls.filter((call) => call.function === fn.entry).map((call) => call.action));
        const granted = grantedActions(fn);
        const unused = granted.filter((action) => !used.has(action));
        return `| \`${fn.entry}\` | ${[...used].sort().join(', ') || '(none recorded)'} | ${unused.join(', ') || '-'} |`;
      })
      .sort();
    const table = [
      '| function | AWS actions its tests exercised | granted, never exercised |',
      '|---|---|---|',
      ...rows,
    ].join('\n');
    console.log(`least privilege, per function:\n${table}`);
    if (process.env.CERTWRIGHT_WRITE_IAM_TABLE) {
      const path = join(import.meta.dirname, '../../docs/iam.md');
      const document = readFileSync(path, 'utf8');
      writeFileSync(path, document.replace(/<!-- table -->[\s\S]*<!-- \/table -->/, `<!-- table -->\n${table}\n<!-- /table -->`));
    }
    expect(rows.length).toBe(functions.length);
  });
});
