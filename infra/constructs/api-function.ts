import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../shared/adapters/dynamodb/table-schema.ts';
import { DEFAULT_SECRET_PREFIX, ENV } from '../../shared/config/env-names.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

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

/**
 * `require` for the CommonJS dependencies inside an ESM bundle. Aliased so that it cannot collide with a
 * bundled module's own `createRequire` import.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as certwrightCreateRequire } from 'module'; const require = certwrightCreateRequire(import.meta.url);";

/** How every certwright Lambda is bundled (API and workflow steps alike). */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  banner: ESM_REQUIRE_BANNER,
  // Run the SDK version the tests ran, not whatever the runtime happens to ship.
  bundleAwsSDK: true,
} satisfies BundlingOptions;

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

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // Our own role instead of AWSLambdaBasicExecutionRole, which may write to any log group in the account.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, 'functions', 'api', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      // API Gateway gives up after 30 s; a function still running then only burns money.
      timeout: Duration.seconds(29),
      role,
      logGroup: this.logGroup,
      // Stack traces in the logs point at our TypeScript, not at the minified bundle.
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: LAMBDA_BUNDLING,
    });
    const fn = this.function;
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the local stack and the tests run Node 22, so the deployed runtime matches what was tested.',
    });

    fn.addEnvironment(ENV.tableName, props.table.tableName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: TABLE_ACTIONS,
        // Each index by name (not index/*), from the same schema the table is built from.
        resources: [props.table.tableArn, ...TABLE_SCHEMA.indexes.map((index) => `${props.table.tableArn}/index/${index.name}`)],
      }),
    );

    fn.addEnvironment(ENV.secretPrefix, SECRET_PREFIX);
    const secretArnPattern = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${SECRET_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.addToRolePolicy(new PolicyStatement({ actions: SECRET_ACTIONS, resources: [secretArnPattern] }));
    Validations.of(role).acknowledge({
      // The finding id is the ARN as cdk-nag renders it; this holds for env-agnostic stacks (see infra/app.ts).
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${SECRET_PREFIX}*]`,
      reason:
        'Secret names are generated at run time (one per private key, ACME account or DNS credential), so only their ' +
        `name prefix "${SECRET_PREFIX}" can be fixed; the trailing * also covers the random suffix Secrets Manager appends to every ARN.`,
    });

    fn.addEnvironment(ENV.secretKmsKeyId, props.secretKey.keyArn);
    props.secretKey.grant(fn, ...SECRET_KEY_ACTIONS);
  }
}
