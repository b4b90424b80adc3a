import type { Construct } from 'constructs';

/** `-c certwright:stage=staging`: the deployment's stage; `prod` when unset. */
export const STAGE_CONTEXT = 'certwright:stage';
export const DEFAULT_STAGE = 'prod';

/** Lowercase letters, digits and hyphens, starting with a letter: fits stack names, secret names and metric dimensions. */
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * The stage this app synthesizes: part of every stack name, of the secret name prefix, and of the `stage` dimension
 * of the lifecycle metrics, so that two stages deploy side by side in one account and region without sharing a name.
 */
export function stageOf(scope: Construct): string {
  const stage = String(scope.node.tryGetContext(STAGE_CONTEXT) ?? DEFAULT_STAGE);
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`${STAGE_CONTEXT} "${stage}" must be 1 to 20 lowercase letters, digits or hyphens, starting with a letter`);
  }
  return stage;
}

/** The stack name of one part of the deployment: `CertwrightData-prod`, `CertwrightService-staging`... */
export const stackName = (part: string, stage: string): string => `Certwright${part}-${stage}`;

/** Every secret of this stage is named under this prefix (`certwright/prod/`); IAM grants access by it. */
export const secretPrefixOf = (scope: Construct): string => `certwright/${stageOf(scope)}/`;
