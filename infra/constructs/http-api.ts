import { CfnOutput, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpRouteIntegration } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../shared/http/routes.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';

export interface CertwrightHttpApiProps {
  functions: Readonly<Record<ApiFunctionName, IFunction>>;
}

/** The HTTP API: one route per ROUTES entry, each to the Lambda of its dialect, with access logs. */
export class CertwrightHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: CertwrightHttpApiProps) {
    super(scope, id);

    this.api = new HttpApi(this, 'Api', {
      description: 'certwright: certificates API (platform, admin and projects dialects)',
      // The default stage cannot take access log settings; ours below replaces it.
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH })),
      },
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization happens in the handler, per route: X-API-TOKEN / Bearer tokens are hashed and looked up in the table ' +
        'and checked against the scope each route needs (shared/http/routes.ts); login is public by design.',
    });

    // One integration per function, shared by all of its routes.
    const integrations = new Map<ApiFunctionName, HttpRouteIntegration>();
    const integrationFor = (name: ApiFunctionName): HttpRouteIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}-integration`, props.functions[name]);
        integrations.set(name, integration);
      }
      return integration;
    };
    for (const route of ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: integrationFor(route.function) });
    }

    new CfnOutput(this, 'Url', { key: 'ApiUrl', description: 'Base URL of the certwright API', value: this.stage.url });
  }
}
