import { Logger } from '@aws-lambda-powertools/logger';
import { loadApiConfig } from '../../shared/config/api-config.ts';
import { loadSweeperConfig } from '../../shared/config/sweeper-config.ts';
import { buildSweeperDeps } from '../../shared/sweeper-wiring.ts';
import type { SweepOptions, SweepResult, SweeperDeps } from '../../shared/use-cases/acme/sweep-attempts.ts';
import { sweepAttempts } from '../../shared/use-cases/acme/sweep-attempts.ts';

const logger = new Logger({ serviceName: 'certwright', persistentKeys: { function: 'attempt-sweeper' } });
let deps: SweeperDeps | undefined;

const config = loadSweeperConfig();

/**
 * EventBridge schedule: fails the attempts whose workflow execution is no longer running, so a certificate never
 * waits out the attempt lease after a fault.
 */
export const handler = async (): Promise<SweepResult> => {
  deps ??= {
    ...buildSweeperDeps(loadApiConfig()),
    onSweepError: (attempt, error) =>
      logger.error('attempt not swept; tried again on the next run', { attemptId: attempt.attemptId, error: error as Error }),
  };
  const options: SweepOptions = { graceMs: config.graceMs, maxPerRun: config.maxPerRun };
  const result = await sweepAttempts(deps, options);
  if (result.failed || result.errors) logger.info('attempt sweeper run', { ...result });
  return result;
};
