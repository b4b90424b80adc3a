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

/** The Secrets Manager actions the secret store adapter performs. */
export const SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DeleteSecret',
  'secretsmanager:DescribeSecret',
];

/** What Secrets Manager needs from its caller to encrypt and decrypt a secret with a customer managed key. */
export const SECRET_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];

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

    const { fn, role, logGroup } = certwrightFunction(this, {
      entry: join(repoRoot, 'functions', 'api', `${props.name}.ts`),
      memorySize: 1024,
      // API Gateway gives up after 30 s; a function still running then only burns money.
      timeout: Duration.seconds(29),
    });
    this.function = fn;
    this.logGroup = logGroup;

    grantTableAccess(fn, props.table);

    fn.addEnvironment(ENV.secretPrefix, SECRET_PREFIX);
    fn.addToRolePolicy(new PolicyStatement({ actions: SECRET_ACTIONS, resources: [secretArnPattern(this)] }));
    Validations.of(role).acknowledge(SECRET_PREFIX_ACKNOWLEDGEMENT);

    fn.addEnvironment(ENV.secretKmsKeyId, props.secretKey.keyArn);
    props.secretKey.grant(fn, ...SECRET_KEY_ACTIONS);
  }
}
