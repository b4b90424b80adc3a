import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertwrightApp } from '../../infra/app.ts';
import { bundleLambda } from '../../infra/bundling/bundle-lambda.ts';
import { startCloudflareFake } from '../support/cloudflare-fake.ts';
import type { CertwrightApp } from '../../infra/app.ts';
import { TABLE_SCHEMA } from '../../shared/adapters/dynamodb/table-schema.ts';
import { ENV } from '../../shared/config/env-names.ts';
import { API_FUNCTIONS, FALLBACK_ROUTES, ROUTES, routeKeyOf } from '../../shared/http/routes.ts';
import { API_FUNCTION_ACCESS } from '../../infra/constructs/api-function.ts';
import type { CfnElement } from 'aws-cdk-lib';
import { asArray, render } from '../support/cloudformation.ts';
import type { Json, Statement } from '../support/cloudformation.ts';

interface CfnResource {
  Type: string;
  Properties?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/**
 * Statements allowed to use Resource "*", keyed by one of their actions, each with the reason. Add an entry only for
 * an action that has no resource-level permissions, and say why.
 */
const RESOURCE_STAR_ALLOWED: Readonly<Record<string, string>> = {
  'route53:ListHostedZonesByName':
    'no resource-level permissions; the projects dialect dry run (obtain with dryRun) finds the zone of a name by its name',
};

/** The folder of a function's asset in the synthesized cloud assembly (index.mjs, chunks/, their maps). */
function assetOf(assemblyDirectory: string, fn: LambdaFunction): string {
  const lambda = fn.node.defaultChild as CfnFunction;
  const resources = Template.fromStack(Stack.of(lambda)).toJSON().Resources as Record<string, { Properties: { Code: { S3Key: string } } }>;
  return join(assemblyDirectory, `asset.${resources[Stack.of(lambda).getLogicalId(lambda)]!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
}

/** The relative `.mjs` paths one bundle file imports: statically (`import ... from "./x.mjs"`) and with `import("./x.mjs")`. */
function importsOf(code: string): { statically: string[]; dynamically: string[] } {
  return {
    statically: [...code.matchAll(/(?:from|import)\s*["'](\.\.?\/[^"']+\.mjs)["']/g)].map((match) => match[1]!),
    dynamically: [...code.matchAll(/import\(\s*["'](\.\.?\/[^"']+\.mjs)["']\s*\)/g)].map((match) => match[1]!),
  };
}

/** index.mjs and every file it imports statically, transitively: what Node reads at a cold start. */
async function loadedAtStart(asset: string): Promise<Map<string, string>> {
  const loaded = new Map<string, string>();
  const visit = async (file: string): Promise<void> => {
    if (loaded.has(file)) return;
    const code = await readFile(file, 'utf8');
    loaded.set(file, code);
    for (const path of importsOf(code).statically) await visit(join(dirname(file), path));
  };
  await visit(join(asset, 'index.mjs'));
  return loaded;
}

/** Runs `script` (an ES module) in a fresh Node 22 process, as Lambda would start one, with a dummy environment. */
const runNode = async (script: string): Promise<string> =>
  (
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', [ENV.tableName]: 'certwright-test' },
    })
  ).stdout.trim();

function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResource>);
}

/** Every statement of every identity policy, inline role policy and managed policy in the template. */
function policyStatements(template: Template): Statement[] {
  const documents = [
    ...resourcesOf(template, 'AWS::IAM::Policy').map(([, policy]) => policy.Properties?.PolicyDocument),
    ...resourcesOf(template, 'AWS::IAM::ManagedPolicy').map(([, policy]) => policy.Properties?.PolicyDocument),
    ...resourcesOf(template, 'AWS::IAM::Role').flatMap(([, role]) =>
      ((role.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((policy) => policy.PolicyDocument),
    ),
  ];
  return documents.flatMap((document) => (document as { Statement: Statement[] }).Statement);
}

/** The one LogGroup that `ref` ({Ref} or {Fn::GetAtt [id, Arn]}) points at. */
function logGroupBehind(template: Template, ref: unknown): CfnResource {
  const node = ref as Json;
  const logicalId = 'Ref' in node ? String(node.Ref) : (node['Fn::GetAtt'] as string[])[0]!;
  const logGroup = (template.toJSON().Resources as Record<string, CfnResource>)[logicalId];
  expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
  return logGroup!;
}

describe('CDK app', () => {
  let built: CertwrightApp;
  let assembly: ReturnType<CertwrightApp['app']['synth']>;
  let data: Template;
  let service: Template;
  const templates = (): [string, Template][] => [
    ['CertwrightData', data],
    ['CertwrightService', service],
  ];

  // One synth (with esbuild bundling of every function and the cdk-nag checks) for the whole file.
  beforeAll(() => {
    built = createCertwrightApp();
    assembly = built.app.synth();
    data = Template.fromStack(built.data);
    service = Template.fromStack(built.service);
  }, 120_000);

  describe('cdk-nag', () => {
    it('leaves no unacknowledged AwsSolutions finding', async () => {
      // In a test process an unacknowledged finding already throws from synth(); the report says so too.
      const report = JSON.parse(await readFile(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
        pluginReports: { summary?: { status?: string }; violations?: unknown[] }[];
      };
      for (const pluginReport of report.pluginReports) {
        expect(pluginReport.violations ?? []).toEqual([]);
      }
    });

    it('fails the synth on a new wildcard permission', () => {
      // Without bundling: this synth only has to reach the checks.
      const probe = createCertwrightApp({ context: { 'aws:cdk:bundling-stacks': [] } });
      const role = new Role(probe.service, 'ProbeRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));

      expect(() => probe.app.synth()).toThrow(/AwsSolutions-IAM5/);
    });
  });

  describe('table', () => {
    it('is on-demand, with point-in-time recovery, TTL, and kept when the stack goes', () => {
      const tables = resourcesOf(data, 'AWS::DynamoDB::Table');
      expect(tables).toHaveLength(1);
      const [, table] = tables[0]!;

      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });

    it('has every index of TABLE_SCHEMA with its keys and projection, and no other', () => {
      const [, table] = resourcesOf(data, 'AWS::DynamoDB::Table')[0]!;
      const indexes = table.Properties?.GlobalSecondaryIndexes as { IndexName: string }[];

      expect(indexes.map((index) => index.IndexName).sort()).toEqual(TABLE_SCHEMA.indexes.map((index) => index.name).sort());
      for (const index of TABLE_SCHEMA.indexes) {
        expect(indexes.find((deployed) => deployed.IndexName === index.name)).toEqual({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        });
      }
    });
  });

  it('has a rotating secrets key that is kept when the stack goes', () => {
    const keys = resourcesOf(data, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const [, key] = keys[0]!;

    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
  });

  describe('API', () => {
    it('has exactly one route per ROUTES entry, keyed `${method} ${path}`, and one per fallback route', () => {
      const routeKeys = resourcesOf(service, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.RouteKey);

      expect(routeKeys.sort()).toEqual([...ROUTES.map(routeKeyOf), ...FALLBACK_ROUTES.map((fallback) => fallback.routeKey)].sort());
    });

    it("sends every route to the Lambda of the route's function", () => {
      const resources = service.toJSON().Resources as Record<string, CfnResource>;
      const routes = resourcesOf(service, 'AWS::ApiGatewayV2::Route');

      const everyRoute = [
        ...ROUTES.map((entry) => ({ key: routeKeyOf(entry), function: entry.function })),
        ...FALLBACK_ROUTES.map((entry) => ({ key: entry.routeKey, function: entry.function })),
      ];
      for (const route of everyRoute) {
        const [, deployed] = routes.find(([, candidate]) => candidate.Properties?.RouteKey === route.key)!;
        const integrationId = /^integrations\/\$\{(.+)\}$/.exec(render(deployed.Properties?.Target))?.[1];
        const integration = resources[integrationId ?? ''];
        const lambda = built.service.functions[route.function].function.node.defaultChild as CfnFunction;

        expect(integration?.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: { 'Fn::GetAtt': [Stack.of(lambda).getLogicalId(lambda), 'Arn'] },
        });
      }
    });

    it('writes access logs to a log group with a retention', () => {
      const stages = resourcesOf(service, 'AWS::ApiGatewayV2::Stage');
      expect(stages).toHaveLength(1);
      const [, stage] = stages[0]!;

      expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
      const destination = (stage.Properties?.AccessLogSettings as { DestinationArn: unknown }).DestinationArn;
      expect(logGroupBehind(service, destination).Properties?.RetentionInDays).toBe(30);
    });

    it('outputs the API URL and the table name', () => {
      const outputs = service.toJSON().Outputs as Record<string, { Value: unknown }>;

      expect(render(outputs.ApiUrl?.Value)).toMatch(/^https:\/\/\$\{.+\}\.execute-api\./);
      const [tableId] = resourcesOf(data, 'AWS::DynamoDB::Table')[0]!;
      expect(render(outputs.TableName?.Value)).toContain(`Ref${tableId}`);
    });
  });

  describe('functions', () => {
    it('has one Lambda per API function, all nodejs22.x on arm64 with 1024 MB and 29 s', () => {
      const functions = resourcesOf(service, 'AWS::Lambda::Function');

      expect(functions).toHaveLength(API_FUNCTIONS.length);
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: 1024,
          Timeout: 29,
        });
      }
    });

    it('gives every function the table, the secret prefix and the key', () => {
      const [tableId] = resourcesOf(data, 'AWS::DynamoDB::Table')[0]!;
      const [keyId] = resourcesOf(data, 'AWS::KMS::Key')[0]!;

      for (const [, fn] of resourcesOf(service, 'AWS::Lambda::Function')) {
        const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(render(variables[ENV.tableName])).toContain(`Ref${tableId}`);
        expect(variables[ENV.secretPrefix]).toBe('certwright/prod/');
        expect(render(variables[ENV.secretKmsKeyId])).toContain(`FnGetAtt${keyId}Arn`);
      }
    });

    // The planner's own figures are checked in renewal.test.ts: the same 300 per 180 minutes.
    it('gives every function the renewal planner order budget (renew now spends from it) and a new key per renewal by default', () => {
      for (const [, fn] of resourcesOf(service, 'AWS::Lambda::Function')) {
        const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(variables).toMatchObject({ [ENV.renewalOrderLimit]: '300', [ENV.renewalOrderWindowMinutes]: '180', [ENV.reusePrivateKey]: 'false' });
      }
    });

    it('logs to a log group with one month of retention', () => {
      for (const [, fn] of resourcesOf(service, 'AWS::Lambda::Function')) {
        const logGroup = (fn.Properties?.LoggingConfig as { LogGroup: unknown } | undefined)?.LogGroup;
        expect(logGroup).toBeDefined();
        expect(logGroupBehind(service, logGroup).Properties?.RetentionInDays).toBe(30);
      }
    });

    it('ships an ESM bundle that contains the AWS SDK and loads on Node 22', async () => {
      for (const name of API_FUNCTIONS) {
        const lambda = built.service.functions[name].function.node.defaultChild as CfnFunction;
        const code = service.toJSON().Resources[Stack.of(lambda).getLogicalId(lambda)].Properties.Code as { S3Key: string };
        const bundleDir = join(assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
        const bundle = join(bundleDir, 'index.mjs');
        const files = [bundle, ...(await readdir(join(bundleDir, 'chunks'))).filter((file) => file.endsWith('.mjs')).map((file) => join(bundleDir, 'chunks', file))];

        // Every file of the asset (the entry and its chunks) can use `require` for the CommonJS modules inside.
        for (const file of files) expect(await readFile(file, 'utf8'), file).toMatch(/^import \{ createRequire as \w+ \} from 'module'; const require = /);
        // The SDK in the asset (the Secrets Manager client in a chunk loaded on first use), with a source map per file.
        const sources = (await Promise.all(files.map(async (file) => (JSON.parse(await readFile(`${file}.map`, 'utf8')) as { sources: string[] }).sources))).flat();
        expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
        expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-secrets-manager/'))).toBe(true);

        // A fresh process, as Lambda would start it: the module must load and export `handler`.
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(process.version, typeof m.handler);`,
          ],
          { env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', [ENV.tableName]: 'certwright-test' } },
        );
        expect(stdout.trim()).toMatch(/^v22\.\d+\.\d+ function$/);
      }
    });
  });

  describe('bundles split into chunks', () => {
    // A DNS step: each DNS provider's SDK is a chunk of its own, read only when a zone of that provider is used.
    const dnsStep = () => assetOf(assembly.directory, built.issuance.workflow.functions['check-propagation']);

    it("keeps a DNS step's providers out of what its cold start loads, each in a chunk index.mjs imports on first use", async () => {
      const asset = dnsStep();
      const atStart = await loadedAtStart(asset);
      const chunks = (await readdir(join(asset, 'chunks'))).filter((name) => name.endsWith('.mjs'));
      const providerChunks = importsOf(atStart.get(join(asset, 'index.mjs'))!).dynamically.map((path) => path.replace(/^\.\/chunks\//, ''));

      // The Cloudflare SDK (its API's address) and the Google one: in a chunk of the asset, never in what loads at start.
      for (const marker of ['api.cloudflare.com', 'dns.googleapis.com']) {
        expect([...atStart.values()].some((code) => code.includes(marker)), marker).toBe(false);
        const holders = [];
        for (const chunk of chunks) if ((await readFile(join(asset, 'chunks', chunk), 'utf8')).includes(marker)) holders.push(chunk);
        expect(holders.length, marker).toBeGreaterThan(0);
      }
      for (const provider of ['route53-factory', 'cloudflare-dns-provider', 'google-dns-provider', 'rfc2136-dns-provider']) {
        expect(providerChunks.some((chunk) => chunk.startsWith(`${provider}-`)), provider).toBe(true);
      }
      // Secrets Manager (a zone's credentials) too; Route 53 through the function's role needs none.
      expect(providerChunks.some((chunk) => chunk.startsWith('secrets-manager-'))).toBe(true);
      expect([...atStart.keys()].some((file) => providerChunks.some((chunk) => file.endsWith(chunk)))).toBe(false);
    });

    it("loads every chunk of a DNS step's asset in Node 22 (each import it names resolves)", async () => {
      const asset = dnsStep();
      const files = [join(asset, 'index.mjs'), ...(await readdir(join(asset, 'chunks'))).filter((name) => name.endsWith('.mjs')).map((name) => join(asset, 'chunks', name))];
      const imports = files.map((file) => `await import(${JSON.stringify(pathToFileURL(file).href)});`).join(' ');

      expect(await runNode(`${imports} console.log('loaded ${files.length}');`)).toBe(`loaded ${files.length}`);
    });

    it('presents a TXT record through a DNS provider chunk of a bundle (the registry, bundled as the functions are, against the Cloudflare fake)', async () => {
      const fake = await startCloudflareFake({ goodToken: 'cf-bundle-token-1234567890' });
      const outdir = await mkdtemp(join(tmpdir(), 'certwright-bundle-'));
      try {
        bundleLambda(join(import.meta.dirname, 'fixtures', 'dns-registry-entry.ts'), outdir);
        expect(await readFile(join(outdir, 'index.mjs'), 'utf8')).not.toContain('api.cloudflare.com');

        const event = { provider: 'cloudflare', name: '_acme-challenge.www.example.com', value: 'bundled-token-value' };
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const { handler } = await import(${JSON.stringify(pathToFileURL(join(outdir, 'index.mjs')).href)}); console.log(JSON.stringify(await handler(${JSON.stringify(event)})));`,
          ],
          { env: { PATH: process.env.PATH, DNS_ENDPOINT: fake.url, DNS_CREDENTIALS: JSON.stringify({ apiToken: 'cf-bundle-token-1234567890' }) } },
        );

        expect(JSON.parse(stdout)).toHaveProperty('changeId');
        expect(fake.txt('_acme-challenge.www.example.com')).toEqual(['bundled-token-value']);
      } finally {
        await fake.stop();
        await rm(outdir, { recursive: true, force: true });
      }
    });

    it('runs code from a chunk loaded on first use: the HTTP-01 function serves the OpenAPI document from one', async () => {
      const asset = assetOf(assembly.directory, built.service.functions['acme-challenge'].function);
      const atStart = await loadedAtStart(asset);
      // The 140 KB document is not read at a cold start of the function that answers the CA.
      expect([...atStart.values()].some((code) => code.includes('openapi:"3.1'))).toBe(false);
      expect(importsOf(atStart.get(join(asset, 'index.mjs'))!).dynamically.some((path) => path.startsWith('./chunks/openapi-'))).toBe(true);

      const event = {
        version: '2.0',
        routeKey: 'GET /openapi.json',
        rawPath: '/openapi.json',
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: { http: { method: 'GET', path: '/openapi.json', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'r1', routeKey: 'GET /openapi.json', stage: '$default', timeEpoch: 0 },
      };
      const stdout = await runNode(
        `const { handler } = await import(${JSON.stringify(pathToFileURL(join(asset, 'index.mjs')).href)});` +
          ` const reply = await handler(${JSON.stringify(event)}, { awsRequestId: 'r1', functionName: 'acme-challenge', getRemainingTimeInMillis: () => 29000 });` +
          ` console.log(reply.statusCode, JSON.parse(reply.body).openapi);`,
      );
      expect(stdout).toMatch(/^200 3\.1\.\d+$/);
    });
  });

  describe('IAM', () => {
    it('has no statement on Resource "*" outside the allow-list', () => {
      for (const [stackName, template] of templates()) {
        for (const statement of policyStatements(template)) {
          if (!asArray(statement.Resource).includes('*')) continue;
          const allowedBy = asArray(statement.Action).find((action) => action in RESOURCE_STAR_ALLOWED);
          expect(allowedBy, `${stackName}: ${JSON.stringify(statement.Action)} on "*"`).toBeDefined();
        }
      }
    });

    /** The statements of one API function's role. */
    const statementsOf = (name: keyof typeof API_FUNCTION_ACCESS): Statement[] => {
      const role = built.service.getLogicalId(built.service.functions[name].function.role?.node.defaultChild as CfnElement);
      return Object.values(service.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } }>)
        .filter((policy) => policy.Properties.Roles.some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: role })))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    };

    it('limits each API function to the kinds of secret it uses, named certwright/<kind>/*', () => {
      for (const name of API_FUNCTIONS) {
        const statements = statementsOf(name).filter((statement) => asArray(statement.Action).some((action) => action.startsWith('secretsmanager:')));
        // Statements with the same actions are merged (the minimizePolicies flag): one may name several kinds.
        const kinds = statements.flatMap((statement) =>
          asArray(statement.Resource)
            .map(render)
            .map((resource) => /:secret:certwright\/prod\/([a-z-]+)\/\*$/.exec(resource)?.[1]),
        );
        expect([...new Set(kinds)].sort(), name).toEqual(Object.keys(API_FUNCTION_ACCESS[name].secrets).sort());
      }
      // The public HTTP-01 function touches no secret at all; identity alone may write the signing key.
      expect(statementsOf('acme-challenge').some((statement) => JSON.stringify(statement).includes('secretsmanager'))).toBe(false);
    });

    it('lets platform alone delete DNS credentials: it removes zones, and projects with the credentials their obtain stored', () => {
      const deleters = API_FUNCTIONS.filter((name) =>
        statementsOf(name).some(
          (statement) =>
            asArray(statement.Action).includes('secretsmanager:DeleteSecret') &&
            asArray(statement.Resource).map(render).some((resource) => /:secret:certwright\/prod\/dns-credentials\/\*$/.test(resource)),
        ),
      );
      expect(deleters).toEqual(['platform']);
    });

    it('lets the functions reach the table and its indexes by name, without Scan; the HTTP-01 function reads challenges only', () => {
      for (const name of API_FUNCTIONS) {
        const statements = statementsOf(name).filter((statement) => asArray(statement.Action).some((action) => action.startsWith('dynamodb:')));
        expect(statements, name).toHaveLength(1);
        const [statement] = statements as [Statement];
        expect(asArray(statement.Action)).not.toContain('dynamodb:Scan');
        const resources = asArray(statement.Resource).map(render);
        expect(resources.some((resource) => resource.includes('*'))).toBe(false);
        if (name === 'acme-challenge') {
          expect(statement.Action).toBe('dynamodb:GetItem');
          expect(statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CHALLENGE#*'] } });
          continue;
        }
        expect(asArray(statement.Action)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']));
        for (const index of TABLE_SCHEMA.indexes) expect(resources.some((resource) => resource.endsWith(`/index/${index.name}`))).toBe(true);
      }
    });

    it('lets the functions use the secrets key only through Secrets Manager, and only as their secrets need', () => {
      const [keyId] = resourcesOf(data, 'AWS::KMS::Key')[0]!;
      for (const name of API_FUNCTIONS) {
        const statements = statementsOf(name).filter((statement) => asArray(statement.Action).some((action) => action.startsWith('kms:')));
        const uses = Object.values(API_FUNCTION_ACCESS[name].secrets).flat();
        const wanted = [...(uses.includes('read') ? ['kms:Decrypt'] : []), ...(uses.includes('write') ? ['kms:GenerateDataKey'] : [])];
        expect(statements.flatMap((statement) => asArray(statement.Action)).filter((action, i, all) => all.indexOf(action) === i).sort(), name).toEqual(wanted.sort());
        for (const statement of statements) {
          expect(render(statement.Resource)).toContain(`FnGetAtt${keyId}Arn`);
          expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
          expect(JSON.stringify(statement.Condition)).toContain('secretsmanager.');
        }
      }
    });
  });
});
