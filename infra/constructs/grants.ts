import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { TABLE_SCHEMA } from '../../shared/adapters/dynamodb/table-schema.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { secretPrefixOf } from './stage.ts';

/**
 * The DynamoDB actions the repository adapters perform, by what a function does with the table: `read` (items,
 * batches of items, queries) or `write` (also put, update, delete; a transaction is authorized item by item as
 * Put/Update/Delete/ConditionCheckItem). Scan and BatchWriteItem are left out on purpose: no path scans.
 */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
} as const;

export type TableAccess = 'none' | keyof typeof TABLE_ACTIONS;

/**
 * The table's name in the function's environment (every function's configuration names it, even one that never
 * calls DynamoDB), and `access` to the table and each index by name.
 */
export function grantTableAccess(fn: LambdaFunction, table: ITable, access: TableAccess = 'write'): void {
  fn.addEnvironment(ENV.tableName, table.tableName);
  if (access === 'none') return;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [...TABLE_ACTIONS[access]],
      // Each index by name (not index/*), from the same schema the table is built from.
      resources: [table.tableArn, ...TABLE_SCHEMA.indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
    }),
  );
}

/** The kinds of secret certwright keeps, each under its own name prefix (`certwright/<stage>/<kind>/...`). */
export type SecretKind = 'certificates' | 'acme-accounts' | 'identity' | 'dns-credentials';

/** The Secrets Manager actions behind each use of a secret, and the KMS actions Secrets Manager needs for it. */
const SECRET_USES = {
  read: { secrets: ['secretsmanager:GetSecretValue'], key: ['kms:Decrypt'] },
  write: { secrets: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'], key: ['kms:GenerateDataKey'] },
  delete: { secrets: ['secretsmanager:DeleteSecret'], key: [] },
} as const;

export type SecretUse = keyof typeof SECRET_USES;

/** What a function does with each kind of secret; a kind not named is not granted at all. */
export type SecretGrants = Readonly<Partial<Record<SecretKind, readonly SecretUse[]>>>;

/**
 * The secret store's configuration (name prefix, KMS key) and, for each kind in `grants`, its uses and the key actions
 * Secrets Manager performs for them, only when it is Secrets Manager that asks (kms:ViaService): the role cannot
 * decrypt with the key directly.
 */
export function grantSecrets(fn: LambdaFunction, key: IKey, grants: SecretGrants): void {
  const stack = Stack.of(fn);
  const prefix = secretPrefixOf(fn);
  fn.addEnvironment(ENV.secretPrefix, prefix);
  fn.addEnvironment(ENV.secretKmsKeyId, key.keyArn);
  for (const [kind, uses = []] of Object.entries(grants)) {
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${prefix}${kind}/*`,
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
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}${kind}/*]`,
        reason: `Secret names of this kind are generated at run time; only their prefix "${prefix}${kind}/" is fixed, and * also covers the random suffix Secrets Manager appends.`,
      });
    }
  }
}
