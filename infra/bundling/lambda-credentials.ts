import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (LAMBDA_ALIASES in bundle-lambda.ts). Lambda hands
 * every function its role's credentials in the environment, which is the first place the default chain looks; the
 * rest of the chain (SSO, shared files, process, web identity, container and instance metadata, with the STS, SSO
 * and sign-in clients behind them) is about 110 KB of every bundle that a Lambda never runs.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
