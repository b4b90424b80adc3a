import { CfnOutput, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpRouteIntegration } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FALLBACK_ROUTES, ROUTES } from '../../shared/http/routes.ts';
import type { ApiFunctionName } from '../../shared/http/routes.ts';

export const API_RATE_LIMIT_CONTEXT = 'certwright:apiRateLimit';
export const API_BURST_LIMIT_CONTEXT = 'certwright:apiBurstLimit';
/** The routes anyone may call that make the API verify a password or a refresh token. */
export const PUBLIC_SIGN_IN_ROUTES = ['POST /api/auth/login', 'POST /api/auth/refresh'];

export interface CertwrightHttpApiProps {
  functions: Readonly<Record<ApiFunctionName, IFunction>>;
}

/** The HTTP API: one route per ROUTES entry and per FALLBACK_ROUTES entry, each to the Lambda of its dialect, with access logs. */
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
      // Without a stage limit one client can use the account's whole API Gateway quota (10,000 requests/s, shared by
      // every API of the account and region). Raise with -c certwright:apiRateLimit=... -c certwright:apiBurstLimit=...
      throttle: {
        rateLimit: Number(this.node.tryGetContext(API_RATE_LIMIT_CONTEXT) ?? 100),
        burstLimit: Number(this.node.tryGetContext(API_BURST_LIMIT_CONTEXT) ?? 200),
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH })),
      },
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization happens in the handler, per route: X-API-TOKEN / Bearer tokens are hashed and looked up in the table ' +
        'and checked against the scope each route needs (shared/http/routes.ts); login, the JSON-LD contexts and API ' +
        'documentation, and the fallback routes (which only answer 404 in the dialect of their prefix) are public by design.',
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
    // A request no route takes reaches the dialect of its prefix, which answers 404 in its own style.
    for (const fallback of FALLBACK_ROUTES) {
      const integration = integrationFor(fallback.function);
      if (fallback.routeKey === '$default') {
        new HttpRoute(this.api, 'DefaultRoute', { httpApi: this.api, routeKey: HttpRouteKey.DEFAULT, integration });
      } else {
        const [, path = ''] = fallback.routeKey.split(' ');
        this.api.addRoutes({ path, methods: [HttpMethod.ANY], integration });
      }
    }

    // The public sign-in routes get a tighter limit for the whole stage, on top of the per-account and per-address
    // login throttle in the handler: an unauthenticated client cannot make the API hash passwords at will.
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      PUBLIC_SIGN_IN_ROUTES.map((routeKey) => [routeKey, { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }]),
    );

    new CfnOutput(this, 'Url', { key: 'ApiUrl', description: 'Base URL of the certwright API', value: this.stage.url });
  }
}
