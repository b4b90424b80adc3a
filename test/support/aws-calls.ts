import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { currentFunction } from '../../infra/local/function-context.ts';
import { ChalltestsrvDnsProvider } from '../../shared/adapters/dns/challtestsrv/challtestsrv-dns-provider.ts';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { FileEventPublisher } from '../../shared/adapters/local-events/file-event-publisher.ts';
import { LocalDataKeys } from '../../shared/adapters/local-kms/local-data-keys.ts';
import { localExecutionMonitor, localWorkflowStarter } from '../../shared/adapters/local-workflow/local-workflow-starter.ts';
import type { TxtRecord } from '../../shared/ports/dns-provider.ts';
import { AWS_CALLS_DIR } from './aws-calls-dir.ts';

/**
 * Records every AWS call the functions make while the suite runs, as AWS would authorize it: which function (by
 * entry file), which IAM action, on which resource, with which condition-key values. test/iam checks each against
 * that function's role in the synthesized template. Loaded before every test file (vitest setupFiles).
 *
 * DynamoDB is called through the real SDK (DynamoDB Local), so its calls are read off the SDK client. Secrets
 * Manager, Step Functions, EventBridge and Route 53 have file and process stand-ins locally; their calls are the
 * ones the AWS adapter of the same port makes (shared/adapters/secrets-manager, step-functions, eventbridge,
 * route53), written down here per port method. So are KMS's, for the envelope key store's local data keys
 * (shared/adapters/kms is the AWS adapter of the same port).
 */
export interface AwsCall {
  function: string;
  action: string;
  resource: AwsResource;
  context?: Record<string, string | string[]>;
}

export type AwsResource =
  | { kind: 'table'; index?: string }
  | { kind: 'secret'; name: string }
  | { kind: 'secret-key' }
  /** The same KMS key, asked directly by the envelope key store: held against the roles of an envelope deployment. */
  | { kind: 'envelope-key' }
  | { kind: 'state-machine' }
  | { kind: 'execution' }
  | { kind: 'event-bus' }
  | { kind: 'hosted-zone' }
  | { kind: 'dns-change' }
  | { kind: 'any' };

const recorded = new Map<string, AwsCall>();

/**
 * The partition keys an item-level DynamoDB call touches, as `dynamodb:LeadingKeys` (a condition on the item kind:
 * the public HTTP-01 function may read `CHALLENGE#*` only), each cut after its kind so that recordings stay few.
 */
function leadingKeys(keys: readonly Input[]): Record<string, string[]> | undefined {
  const kinds = [...new Set(keys.map((key) => String(key.pk ?? '').replace(/#.*$/, '#x')))];
  return kinds.length > 0 && kinds.every((kind) => kind !== '#x' && kind !== '') ? { 'dynamodb:LeadingKeys': kinds.sort() } : undefined;
}

function record(action: string, resource: AwsResource, context?: Record<string, string | string[]>): void {
  const fn = currentFunction();
  if (!fn) return; // the test itself (seeding, assertions), not a Lambda
  const call: AwsCall = { function: fn, action, resource, ...(context ? { context } : {}) };
  recorded.set(JSON.stringify(call), call);
}

type Input = Record<string, unknown>;

/** A DynamoDB request's IAM actions: a batch or transaction is authorized item by item, per table. */
function dynamoActions(operation: string, input: Input): [string, AwsResource, Record<string, string[]>?][] {
  const table = (extra: Input = input): AwsResource =>
    typeof extra.IndexName === 'string' ? { kind: 'table', index: extra.IndexName } : { kind: 'table' };
  if (operation === 'BatchGetItem') {
    const keys = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: Input[] }>).flatMap((request) => request.Keys ?? []);
    return [[`dynamodb:${operation}`, table({}), leadingKeys(keys)]];
  }
  if (operation === 'BatchWriteItem') return [[`dynamodb:${operation}`, table({})]];
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const itemAction = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
    return ((input.TransactItems ?? []) as Input[]).flatMap((item) =>
      Object.entries(itemAction).flatMap(([key, action]) => (key in item ? [[`dynamodb:${action}`, table({})] as [string, AwsResource]] : [])),
    );
  }
  const key = (input.Key ?? input.Item) as Input | undefined;
  const single = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].includes(operation) && key ? leadingKeys([key]) : undefined;
  return [[`dynamodb:${operation}`, table(), single]];
}

/** Every SDK client shares smithy's Client.send; DynamoDB's document client sends through it too. */
function recordSdkCalls(): void {
  const clientPrototype = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => unknown; __recording?: true };
  if (clientPrototype.__recording) return;
  const send = clientPrototype.send;
  clientPrototype.__recording = true;
  clientPrototype.send = function (this: { config?: { serviceId?: string } }, command: unknown, ...rest: unknown[]) {
    const named = command as { constructor: { name: string }; clientCommand?: { constructor: { name: string } }; input?: Input };
    const operation = (named.clientCommand ?? named).constructor.name.replace(/Command$/, '');
    if (this.config?.serviceId === 'DynamoDB') {
      for (const [action, resource, context] of dynamoActions(operation, named.input ?? {})) record(action, resource, context);
    } else if (currentFunction()) {
      throw new Error(`test/support/aws-calls.ts: record ${this.config?.serviceId} ${operation} calls before a function makes them`);
    }
    return send.call(this, command, ...rest);
  };
}

/** Wraps `method` of `target` so that each call first records what the AWS adapter of the same port would call. */
function alongside<T extends object, K extends keyof T>(target: T, method: K, calls: (...args: never[]) => void): void {
  const original = target[method] as (...args: unknown[]) => unknown;
  if ((original as { __recording?: true }).__recording) return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    (calls as (...args: unknown[]) => void)(...args);
    return original.apply(this, args);
  };
  (wrapped as { __recording?: true }).__recording = true;
  target[method] = wrapped as T[K];
}

/** Secrets Manager encrypts with the customer managed key through KMS, as the caller: the role needs both. */
const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };

/** KMS's condition key for an encryption context: the set of its keys (the roles condition on them, not on values). */
const encryptionContextConditions = (context: Readonly<Record<string, string>>): Record<string, string[]> => ({
  'kms:EncryptionContextKeys': Object.keys(context).sort(),
});

function recordStandInCalls(): void {
  // The envelope key store's data keys (KmsDataKeys in AWS): GenerateDataKey to write a key, Decrypt to read one.
  const dataKeys = LocalDataKeys.prototype;
  alongside(dataKeys, 'generate', (context: Record<string, string>) =>
    record('kms:GenerateDataKey', { kind: 'envelope-key' }, encryptionContextConditions(context)),
  );
  alongside(dataKeys, 'unwrap', (_wrapped: Uint8Array, context: Record<string, string>) =>
    record('kms:Decrypt', { kind: 'envelope-key' }, encryptionContextConditions(context)),
  );

  const secrets = FileSecretStore.prototype;
  const write = (name: string) => {
    record('secretsmanager:CreateSecret', { kind: 'secret', name });
    record('kms:GenerateDataKey', { kind: 'secret-key' }, viaSecretsManager);
  };
  alongside(secrets, 'create', write);
  alongside(secrets, 'put', (name: string) => {
    write(name);
    // put() is create-or-replace: CreateSecret, and PutSecretValue when the secret exists already.
    record('secretsmanager:PutSecretValue', { kind: 'secret', name });
  });
  alongside(secrets, 'get', (name: string) => {
    record('secretsmanager:GetSecretValue', { kind: 'secret', name });
    record('kms:Decrypt', { kind: 'secret-key' }, viaSecretsManager);
  });
  alongside(secrets, 'delete', (name: string) => record('secretsmanager:DeleteSecret', { kind: 'secret', name }));

  alongside(localWorkflowStarter, 'startIssuance', () => record('states:StartExecution', { kind: 'state-machine' }));
  alongside(localExecutionMonitor, 'describe', () => record('states:DescribeExecution', { kind: 'execution' }));
  alongside(FileEventPublisher.prototype, 'publish', () => record('events:PutEvents', { kind: 'event-bus' }));

  // The Route 53 provider finds the zone by name, reads the record set, and changes it (CREATE/DELETE of TXT).
  const dns = ChalltestsrvDnsProvider.prototype;
  const change = (record_: TxtRecord, actions: string[]) => {
    record('route53:ListHostedZonesByName', { kind: 'any' });
    record('route53:ListResourceRecordSets', { kind: 'hosted-zone' });
    record('route53:ChangeResourceRecordSets', { kind: 'hosted-zone' }, {
      'route53:ChangeResourceRecordSetsNormalizedRecordNames': [record_.name.toLowerCase().replace(/\.$/, '')],
      'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
      'route53:ChangeResourceRecordSetsActions': actions,
    });
  };
  alongside(dns, 'present', (record_: TxtRecord) => change(record_, ['CREATE', 'DELETE']));
  alongside(dns, 'cleanUp', (record_: TxtRecord) => change(record_, ['DELETE', 'CREATE']));
  alongside(dns, 'isChangeInSync', () => record('route53:GetChange', { kind: 'dns-change' }));
  alongside(dns, 'authoritativeNameServers', () => {
    record('route53:ListHostedZonesByName', { kind: 'any' });
    record('route53:GetHostedZone', { kind: 'hosted-zone' });
  });
}

const directory = process.env[AWS_CALLS_DIR];
if (directory) {
  recordSdkCalls();
  recordStandInCalls();
  afterAll(() => {
    if (recorded.size === 0) return;
    mkdirSync(directory, { recursive: true });
    appendFileSync(join(directory, `${process.pid}.jsonl`), [...recorded.values()].map((call) => JSON.stringify(call)).join('\n') + '\n');
    recorded.clear();
  });
}
