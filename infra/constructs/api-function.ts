import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';
import { certwrightFunction, repoRoot } from './certwright-function.ts';
import { grantSecrets, grantTableAccess } from './grants.ts';
import type { SecretGrants } from './grants.ts';
import { configureKeyStore } from './key-store.ts';
import type { KeyStoreKind } from '../../shared/config/env-names.ts';

/**
 * What each API function does with secrets (from the least-privilege table, docs/iam.md): certificate keys (uploads,
 * export, delete), ACME account keys and EAB credentials (obtain, revoke), the identity signing key (every function
 * verifies JWTs; only identity signs them), DNS zone credentials (platform stores and deletes, projects reads). Only platform and projects start issuance executions.
 */
export const API_FUNCTION_ACCESS: Readonly<Record<ApiFunctionName, { secrets: SecretGrants; startsIssuance: boolean }>> = {
  // dns-credentials: platform stores a zone's credentials when the organization registers it, and deletes them with the
  // zone (and those a projects obtain stored, with the project); projects reads them when a dry run asks the zone's
  // provider for its name servers, and writes the dnsCredentials a projects obtain gives (checked first with a harmless
  // read). No reply carries them.
  platform: {
    secrets: { certificates: ['read', 'write', 'delete'], 'acme-accounts': ['read', 'write', 'delete'], identity: ['read'], 'dns-credentials': ['write', 'delete'] },
    startsIssuance: true,
  },
  projects: {
    secrets: { certificates: ['read', 'write', 'delete'], 'acme-accounts': ['read', 'write', 'delete'], identity: ['read'], 'dns-credentials': ['read', 'write'] },
    startsIssuance: true,
  },
  admin: { secrets: { certificates: ['write', 'delete'], identity: ['read'] }, startsIssuance: false },
  identity: { secrets: { identity: ['read', 'write'] }, startsIssuance: false },
  // The operator's API verifies credentials like every function; account zones carry no credentials.
  operator: { secrets: { identity: ['read'] }, startsIssuance: false },
  // The public HTTP-01 route reads challenge items and nothing else (see grantChallengeReads).
  'acme-challenge': { secrets: {}, startsIssuance: false },
};

/** The table for the public HTTP-01 route: GetItem of challenge items only (dynamodb:LeadingKeys). */
function grantChallengeReads(fn: LambdaFunction, table: ITable): void {
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
  /** Where certificate private keys live (`certwright:keyStore`). */
  keyStore: KeyStoreKind;
}

/** One API Lambda: its bundle, its log group, its configuration, and exactly the access that configuration implies. */
export class ApiFunction extends Construct {
  readonly function: LambdaFunction;
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

    grantSecrets(fn, props.secretKey, access.secrets);
    configureKeyStore(fn, props.secretKey, props.table, props.keyStore, access.secrets.certificates ?? []);
  }
}
