import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.ts';
import { stageOf } from './stage.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `require` for the CommonJS dependencies inside an ESM bundle. Aliased so that it cannot collide with a
 * bundled module's own `createRequire` import.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as certwrightCreateRequire } from 'module'; const require = certwrightCreateRequire(import.meta.url);";

/** Modules the Lambda bundles replace, and with what (relative to the project root). */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './infra/bundling/lambda-credentials.ts',
  'form-data': './infra/bundling/no-form-data.ts',
};

/** How every certwright Lambda is bundled (API, workflow steps and scheduled functions alike). */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  banner: ESM_REQUIRE_BANNER,
  // Run the SDK version the tests ran, not whatever the runtime happens to ship.
  bundleAwsSDK: true,
  // Two modules swapped for what a Lambda actually runs (each file says why); paths from the project root, where
  // CDK runs esbuild.
  esbuildArgs: { '--alias': [...Object.entries(LAMBDA_ALIASES).map(([module, path]) => `${module}=${path}`)] },
} satisfies BundlingOptions;

export interface CertwrightFunctionProps {
  /** Absolute path of the entry file, which exports `handler`. */
  entry: string;
  description?: string;
  memorySize: number;
  timeout: Duration;
  environment?: Record<string, string>;
}

/**
 * One certwright Lambda in `scope` (as its children Logs, Role and Function): Node 22 on arm64, bundled by esbuild,
 * a log group of its own and a role that may write only there (instead of AWSLambdaBasicExecutionRole, which may
 * write to any log group in the account). The caller adds exactly the access the function needs.
 */
export function certwrightFunction(
  scope: Construct,
  props: CertwrightFunctionProps,
): { fn: NodejsFunction; role: Role; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, 'Logs', { retention: RetentionDays.ONE_MONTH });
  const role = new Role(scope, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, 'Function', {
    ...(props.description ? { description: props.description } : {}),
    entry: props.entry,
    handler: 'handler',
    projectRoot: repoRoot,
    depsLockFilePath: join(repoRoot, 'package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    // No --enable-source-maps: Node would read and parse the bundle's map (1.4 to 4.8 MB) at every cold start, 30 to
    // 60% more import time (BENCHMARKS.md, cold start). The map ships with the code, so setting NODE_OPTIONS to
    // --enable-source-maps on one function (no redeploy of its code) turns TypeScript stack traces back on there.
    ...(props.environment ? { environment: props.environment } : {}),
    bundling: LAMBDA_BUNDLING,
  });
  fn.addEnvironment(ENV.stage, stageOf(scope));
  // Which entry file this function runs, for the IAM conformance check (test/iam): the local stack names functions so.
  (fn.node.defaultChild as CfnFunction).addMetadata('certwright:entry', relative(repoRoot, props.entry));
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Pinned to nodejs22.x on purpose: the local stack and the tests run Node 22, so the deployed runtime matches what was tested.',
  });
  return { fn, role, logGroup };
}
