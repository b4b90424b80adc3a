import { z } from 'zod';
import { ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';

const schema = z.object({
  [ENV.sweeperGraceMinutes]: z.coerce.number().min(0).max(120).default(5),
  [ENV.sweeperMaxPerRun]: z.coerce.number().int().positive().max(10_000).default(200),
});

export interface SweeperConfig {
  /** Attempts younger than this are left alone: their execution may not have been started yet. */
  graceMs: number;
  maxPerRun: number;
}

/** Parses the attempt sweeper's own settings once; the rest of its environment is the workflow steps'. */
export function loadSweeperConfig(env: NodeJS.ProcessEnv = process.env): SweeperConfig {
  const values = parseEnvironment(schema, env);
  return { graceMs: values[ENV.sweeperGraceMinutes] * 60_000, maxPerRun: values[ENV.sweeperMaxPerRun] };
}
