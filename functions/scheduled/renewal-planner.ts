import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import type { PlanResult, RenewalPlannerDeps } from '../../shared/use-cases/plan-renewals.ts';
import { planRenewals } from '../../shared/use-cases/plan-renewals.ts';

const logger = new Logger({ serviceName: 'certwright', persistentKeys: { function: 'renewal-planner' } });

/** The planner run by the EventBridge schedule: one bounded pass over the due certificates, its figures logged. */
export function renewalPlannerHandler(init: () => RenewalPlannerDeps, options: { maxPerRun: number }) {
  let deps: RenewalPlannerDeps | undefined;
  return async (_event?: Partial<ScheduledEvent>): Promise<PlanResult> => {
    deps ??= {
      ...init(),
      onStartFailure: (item, error) =>
        logger.error('renewal not started; planned again when its lease runs out', { certificateId: item.certificateId, error: error as Error }),
    };
    const result = await planRenewals(deps, options);
    logger.info('renewal planner run', { ...result });
    return result;
  };
}
