import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Validations } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.ts';
import { stageOf } from './stage.ts';
import { bundleLambda } from '../bundling/bundle-lambda.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The code of a function: its entry bundled by bundleLambda (infra/bundling/bundle-lambda.ts: code splitting, so an
 * `index.mjs` and the chunks it loads on demand) as the asset's local bundling, which CDK skips where a synth does not
 * bundle (the `aws:cdk:bundling-stacks` context, as the template-only tests set it). The asset hash is of the bundle's
 * output (as NodejsFunction's), so an unchanged bundle is not uploaded again.
 */
export function lambdaCode(entry: string): Code {
  return Code.fromAsset(repoRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never run: local bundling always succeeds or throws esbuild's error. CDK requires an image all the same.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      // Names the entry in CDK's asset cache key (the local bundler below is not part of it).
      command: ['bundle-lambda', relative(repoRoot, entry)],
      local: {
        tryBundle(outputDir: string): boolean {
          bundleLambda(entry, outputDir);
          return true;
        },
      },
    },
  });
}

export interface CertwrightFunctionProps {
  /** Absolute path of the entry file, which exports `handler`. */
  entry: string;
  description?: string;
  memorySize: number;
  timeout: Duration;
  environment?: Record<string, string>;
}

/**
 * One certwright Lambda in `scope` (as its children Logs, Role and Function): Node 22 on arm64, bundled by esbuild with code splitting,
 * a log group of its own and a role that may write only there (instead of AWSLambdaBasicExecutionRole, which may
 * write to any log group in the account). The caller adds exactly the access the function needs.
 */
export function certwrightFunction(
  scope: Construct,
  props: CertwrightFunctionProps,
): { fn: LambdaFunction; role: Role; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, 'Logs', { retention: RetentionDays.ONE_MONTH });
  const role = new Role(scope, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new LambdaFunction(scope, 'Function', {
    ...(props.description ? { description: props.description } : {}),
    code: lambdaCode(props.entry),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    // No --enable-source-maps: Node would read and parse the bundle's maps at every cold start, 30 to 60% more import
    // time (BENCHMARKS.md, cold start). The maps ship with the code, so setting NODE_OPTIONS to --enable-source-maps on
    // one function (no redeploy of its code) turns TypeScript stack traces back on there.
    ...(props.environment ? { environment: props.environment } : {}),
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
