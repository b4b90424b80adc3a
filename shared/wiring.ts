import type { ApiConfig } from './config/api-config.ts';
import type { CoreDeps } from './use-cases/core-deps.ts';
import { loadApiFunctionConfig } from './wiring/api.ts';
import { projectsApiDeps } from './wiring/api-projects.ts';
import { systemAmbient } from './wiring/basics.ts';

/**
 * Every port at once, for the local stack, the operator's scripts and the benches; no Lambda imports this (each
 * function's entry calls its own builder in shared/wiring/).
 */
export const buildCoreDeps = (config: ApiConfig, env: NodeJS.ProcessEnv = process.env): CoreDeps =>
  projectsApiDeps({ ...loadApiFunctionConfig({ ...env }), api: config }, systemAmbient);
