import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { EmfLifecycleMetrics } from '../../shared/adapters/powertools/emf-lifecycle-metrics.ts';
import { systemAmbient } from '../../shared/wiring/basics.ts';
import { loadPlannerConfig, plannerDeps } from '../../shared/wiring/scheduled.ts';
import type { PlanResult, RenewalPlannerDeps } from '../../shared/use-cases/plan-renewals.ts';
import { planRenewals } from '../../shared/use-cases/plan-renewals.ts';

const logger = new Logger({ serviceName: 'certwright', persistentKeys: { function: 'renewal-planner' } });

/** The planner run by the EventBridge schedule: one bounded pass over the due certificates, its figures logged. */
export function renewalPlannerHandler(init: () => { deps: RenewalPlannerDeps; maxPerRun: number; accountsPerCa?: number; metrics: EmfLifecycleMetrics }) {
  let wired: { deps: RenewalPlannerDeps; maxPerRun: number; accountsPerCa: number; metrics: EmfLifecycleMetrics } | undefined;
  return async (_event?: Partial<ScheduledEvent>): Promise<PlanResult> => {
    if (!wired) {
      const { deps, maxPerRun, accountsPerCa = 1, metrics } = init();
      const onStartFailure: RenewalPlannerDeps['onStartFailure'] = (item, error) =>
        logger.error('renewal not started; planned again when its lease runs out', {
          certificateId: item.certificateId,
          error: error as Error,
        });
      wired = { deps: { ...deps, onStartFailure }, maxPerRun, accountsPerCa, metrics };
    }
    const { metrics } = wired;
    const result = await planRenewals(wired.deps, { maxPerRun: wired.maxPerRun, accountsPerCa: wired.accountsPerCa });
    logger.info('renewal planner run', { ...result });
    if (result.started) metrics.count('RenewalsStarted', result.started);
    if (result.deferred) metrics.count('RenewalsDeferred', result.deferred);
    metrics.flush();
    return result;
  };
}

/** Configuration parsed and ports built on the first run (the local stack sets the environment after importing it). */
export const handler = renewalPlannerHandler(() => {
  const config = loadPlannerConfig();
  return {
    deps: plannerDeps(config, systemAmbient),
    maxPerRun: config.renewal.maxPerRun,
    accountsPerCa: config.acme.accountsPerCa,
    metrics: new EmfLifecycleMetrics(config.renewal.stage),
  };
});
