import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../shared/adapters/dynamodb/table-schema.ts';
import { DEFAULT_SECRET_PREFIX, ENV } from '../../shared/config/env-names.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';
import { certwrightFunction, repoRoot } from './certwright-function.ts';

/** Secrets the functions create and read; IAM is scoped to this name prefix. */
export const SECRET_PREFIX = DEFAULT_SECRET_PREFIX;

/**
 * The DynamoDB actions the repository adapter performs. A transaction is authorized item by item as
 * Put/Update/Delete/ConditionCheckItem. Scan and BatchWriteItem are left out on purpose: no request path scans.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/** The table's name in the function's environment, and the repository's actions on the table and each index by name. */
export function grantTableAccess(fn: NodejsFunction, table: ITable): void {
  fn.addEnvironment(ENV.tableName, table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: TABLE_ACTIONS,
      // Each index by name (not index/*), from the same schema the table is built from.
      resources: [table.tableArn, ...TABLE_SCHEMA.indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
    }),
  );
}

/** Every secret certwright names: the prefix, then anything (the name and Secrets Manager's random suffix). */
export const secretArnPattern = (scope: Construct): string =>
  Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${SECRET_PREFIX}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

/** Why the secret ARN pattern's wildcard is needed, for cdk-nag's IAM5 finding on it. */
export const SECRET_PREFIX_ACKNOWLEDGEMENT = {
  // The finding id is the ARN as cdk-nag renders it; this holds for env-agnostic stacks (see infra/app.ts).
  id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${SECRET_PREFIX}*]`,
  reason:
    'Secret names are generated at run time (one per private key, ACME account or DNS credential), so only their ' +
    `name prefix "${SECRET_PREFIX}" can be fixed; the trailing * also covers the random suffix Secrets Manager appends to every ARN.`,
};

/** The kinds of secret certwright keeps, each under its own name prefix (`certwright/<kind>/...`). */
export type SecretKind = 'certificates' | 'acme-accounts' | 'identity' | 'dns-credentials';

/** The Secrets Manager actions behind each use of a secret, and the KMS actions Secrets Manager needs for it. */
const SECRET_USES = {
  read: { secrets: ['secretsmanager:GetSecretValue'], key: ['kms:Decrypt'] },
  write: { secrets: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'], key: ['kms:GenerateDataKey'] },
  delete: { secrets: ['secretsmanager:DeleteSecret'], key: [] },
} as const;

/**
 * What each API function does with secrets (from the least-privilege table, docs/iam.md): certificate keys (uploads,
 * export, delete), ACME account keys and EAB credentials (obtain, revoke), the identity signing key (every function
 * verifies JWTs; only identity signs them). Only platform and projects start issuance executions.
 */
export const API_FUNCTION_ACCESS: Readonly<
  Record<ApiFunctionName, { secrets: Partial<Record<SecretKind, readonly (keyof typeof SECRET_USES)[]>>; startsIssuance: boolean }>
> = {
  platform: { secrets: { certificates: ['read', 'write', 'delete'], 'acme-accounts': ['read', 'write', 'delete'], identity: ['read'] }, startsIssuance: true },
  // dns-credentials write: obtain stores the dnsCredentials it was given (checked first, with the values as sent).
  projects: {
    secrets: { certificates: ['read', 'write', 'delete'], 'acme-accounts': ['read', 'write', 'delete'], identity: ['read'], 'dns-credentials': ['write'] },
    startsIssuance: true,
  },
  admin: { secrets: { certificates: ['write', 'delete'], identity: ['read'] }, startsIssuance: false },
  identity: { secrets: { identity: ['read', 'write'] }, startsIssuance: false },
  // The public HTTP-01 route reads challenge items and nothing else (see grantChallengeReads).
  'acme-challenge': { secrets: {}, startsIssuance: false },
};

/**
 * Grants `uses` of the secrets of one kind, and the key actions Secrets Manager performs for them, only when it is
 * Secrets Manager that asks (kms:ViaService): the role cannot decrypt with the key directly.
 */
export function grantSecretUses(fn: NodejsFunction, key: IKey, kind: SecretKind, uses: readonly (keyof typeof SECRET_USES)[]): void {
  const stack = Stack.of(fn);
  const secrets = stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${SECRET_PREFIX}${kind}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(new PolicyStatement({ actions: uses.flatMap((use) => SECRET_USES[use].secrets), resources: [secrets] }));
  const keyActions = uses.flatMap((use) => SECRET_USES[use].key);
  if (keyActions.length > 0) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: keyActions,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }),
    );
  }
  if (fn.role) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${SECRET_PREFIX}${kind}/*]`,
      reason: `Secret names of this kind are generated at run time; only their prefix "${SECRET_PREFIX}${kind}/" is fixed, and * also covers the random suffix Secrets Manager appends.`,
    });
  }
}

/** The table for the public HTTP-01 route: GetItem of challenge items only (dynamodb:LeadingKeys). */
function grantChallengeReads(fn: NodejsFunction, table: ITable): void {
  fn.addEnvironment(ENV.tableName, table.tableName);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CHALLENGE#*'] } },
    }),
  );
}

export interface ApiFunctionProps {
  /** Entry file is functions/api/<name>.ts, exporting `handler`. */
  name: ApiFunctionName;
  table: ITable;
  secretKey: IKey;
}

/** One API Lambda: its bundle, its log group, its configuration, and exactly the access that configuration implies. */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    const { fn, logGroup } = certwrightFunction(this, {
      entry: join(repoRoot, 'functions', 'api', `${props.name}.ts`),
      memorySize: 1024,
      // API Gateway gives up after 30 s; a function still running then only burns money.
      timeout: Duration.seconds(29),
    });
    this.function = fn;
    this.logGroup = logGroup;

    const access = API_FUNCTION_ACCESS[props.name];
    if (props.name === 'acme-challenge') grantChallengeReads(fn, props.table);
    else grantTableAccess(fn, props.table);

    fn.addEnvironment(ENV.secretPrefix, SECRET_PREFIX);
    fn.addEnvironment(ENV.secretKmsKeyId, props.secretKey.keyArn);
    for (const [kind, uses] of Object.entries(access.secrets)) grantSecretUses(fn, props.secretKey, kind as SecretKind, uses);
  }
}
