import { ENV } from './env-names.ts';
import { parseEnvironment } from './parse-environment.ts';

export interface SweeperConfig {
  /** Attempts younger than this are left alone: their execution may not have been started yet. */
  graceMs: number;
  maxPerRun: number;
}

/** Parses the attempt sweeper's own settings once; the rest of its environment is the workflow steps'. */
export const loadSweeperConfig = (env: NodeJS.ProcessEnv = process.env): SweeperConfig =>
  parseEnvironment(env, (read) => {
    // Minutes, with a fraction allowed (the local stack sweeps after half a minute).
    const raw = read.optional(ENV.sweeperGraceMinutes);
    const minutes = raw === undefined ? 5 : Number(raw);
    if (!Number.isFinite(minutes) || minutes < 0 || minutes > 120) throw new Error(`Invalid configuration: ${ENV.sweeperGraceMinutes}`);
    return { graceMs: minutes * 60_000, maxPerRun: read.integer(ENV.sweeperMaxPerRun, { fallback: 200, min: 1, max: 10_000 }) };
  });
