import type { ApiConfig } from './config/api-config.ts';
import type { CoreDeps } from './use-cases/core-deps.ts';
import { loadApiFunctionConfig } from './wiring/api.ts';
import { dnsCheckingApiDeps } from './wiring/api-dns-checks.ts';
import { systemAmbient } from './wiring/basics.ts';

/**
 * Every port at once, for the local stack, the operator's scripts and the benches; no Lambda imports this (each
 * function's entry calls its own builder in shared/wiring/).
 */
export const buildCoreDeps = (config: ApiConfig, env: NodeJS.ProcessEnv = process.env): CoreDeps =>
  dnsCheckingApiDeps({ ...loadApiFunctionConfig({ ...env }), api: config }, systemAmbient);
