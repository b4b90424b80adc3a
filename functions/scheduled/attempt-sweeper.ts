import { Logger } from '@aws-lambda-powertools/logger';
import { loadSweeperConfig } from '../../shared/config/sweeper-config.ts';
import type { SweepOptions, SweepResult, SweeperDeps } from '../../shared/use-cases/acme/sweep-attempts.ts';
import { sweepAttempts } from '../../shared/use-cases/acme/sweep-attempts.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';
import { sweeperDeps } from '../../shared/wiring/sweeper.ts';
import { loadWorkflowConfig } from '../../shared/wiring/workflow.ts';

const logger = new Logger({ serviceName: 'certwright', persistentKeys: { function: 'attempt-sweeper' } });
let deps: SweeperDeps | undefined;

const config = loadSweeperConfig();

/**
 * EventBridge schedule: fails the attempts whose workflow execution is no longer running, so a certificate never
 * waits out the attempt lease after a fault.
 */
export const handler = async (): Promise<SweepResult> => {
  deps ??= {
    ...sweeperDeps(loadWorkflowConfig(), systemAmbient),
    onSweepError: (attempt, error) =>
      logger.error('attempt not swept; tried again on the next run', { attemptId: attempt.attemptId, error: error as Error }),
  };
  const options: SweepOptions = { graceMs: config.graceMs, maxPerRun: config.maxPerRun };
  const result = await sweepAttempts(deps, options);
  if (result.failed || result.errors) logger.info('attempt sweeper run', { ...result });
  return result;
};
