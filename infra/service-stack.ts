import { CfnOutput, CrossStackReferences, ReferenceStrength, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config/env-names.ts';
import { API_FUNCTIONS } from '../shared/http/routes.ts';
import type { ApiFunctionName } from '../shared/http/routes.ts';
import { API_FUNCTION_ACCESS, ApiFunction } from './constructs/api-function.ts';
import { CertwrightHttpApi } from './constructs/http-api.ts';
import { keyStoreOf } from './constructs/key-store.ts';
import { grantZoneLookup } from './constructs/route53-lookup.ts';

export interface ServiceStackProps extends StackProps {
  table: ITable;
  secretKey: IKey;
  /** The ACME issuance workflow the API starts (obtain, auto_managed certificates). */
  issuanceStateMachine: IStateMachine;
  /**
   * New orders per ACME account per window: renew now spends from the renewal planner's budget, so give the same
   * figures as the lifecycle stack (300 per 180 minutes, Let's Encrypt's limit, when unset).
   */
  orderLimit?: number;
  orderWindowMinutes?: number;
  /** Most ACME accounts an organization may hold per CA (1 when unset): the same as the lifecycle stack's. */
  accountsPerCa?: number;
  /** Whether new auto-managed certificates keep their key on renewal unless their request says (false: a new key). */
  reusePrivateKey?: boolean;
}

/** Everything stateless: the API functions and the HTTP API in front of them. Safe to destroy and redeploy. */
export class ServiceStack extends Stack {
  readonly functions: Readonly<Record<ApiFunctionName, ApiFunction>>;
  readonly httpApi: CertwrightHttpApi;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // Strong (export/import): the data stack cannot be deleted while this stack still uses its table and key.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    const functions = {} as Record<ApiFunctionName, ApiFunction>;
    const lambdas = {} as Record<ApiFunctionName, IFunction>;
    const keyStore = keyStoreOf(this);
    for (const name of API_FUNCTIONS) {
      functions[name] = new ApiFunction(this, `${name}-function`, { name, table: props.table, secretKey: props.secretKey, keyStore });
      lambdas[name] = functions[name].function;
      // Starting an execution is all the API does with Step Functions (obtain, renew now: platform and projects); the
      // steps run under their own roles.
      functions[name].function.addEnvironment(ENV.issuanceStateMachineArn, props.issuanceStateMachine.stateMachineArn);
      if (API_FUNCTION_ACCESS[name].startsIssuance) props.issuanceStateMachine.grantStartExecution(functions[name].function);
      functions[name].function.addEnvironment(ENV.renewalOrderLimit, String(props.orderLimit ?? 300));
      functions[name].function.addEnvironment(ENV.renewalOrderWindowMinutes, String(props.orderWindowMinutes ?? 180));
      functions[name].function.addEnvironment(ENV.reusePrivateKey, String(props.reusePrivateKey ?? false));
      functions[name].function.addEnvironment(ENV.acmeAccountsPerCa, String(props.accountsPerCa ?? 1));
    }
    // A projects dialect dry run (obtain with dryRun, DNS-01) asks Route 53 for the zone and its name servers.
    grantZoneLookup(functions.projects.function);
    this.functions = functions;
    this.httpApi = new CertwrightHttpApi(this, 'Http', { functions: lambdas });

    new CfnOutput(this, 'TableName', { description: 'The certwright DynamoDB table', value: props.table.tableName });
  }
}
