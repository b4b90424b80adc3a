import type { CoreDeps } from '../core-deps.ts';
import type { AttemptIds } from './certificate-progress.ts';
import { cleanUpChallenges } from './challenges.ts';
import { recordFailure } from './record-failure.ts';
import type { RecordFailureDeps } from './record-failure.ts';

/**
 * How an execution ended without its own failure path: Step Functions' execution statuses, and `LOST` for one the
 * attempt sweeper found gone (never started, forgotten by a restarted local runner, or ended without an outcome).
 */
export type AbnormalEnd = 'TIMED_OUT' | 'ABORTED' | 'FAILED' | 'LOST';

export interface EndedExecution extends AttemptIds {
  status: AbnormalEnd;
  /** The error name Step Functions reports for a FAILED execution (`States.Runtime`, a step's uncaught error...). */
  error?: string | null;
}

/** What a user reads in lastAttempt.error; the cause of a runtime failure stays in the logs (it may name internals). */
export function endedExecutionReason(ended: Pick<EndedExecution, 'status' | 'error'>): string {
  if (ended.status === 'TIMED_OUT') return 'The issuance workflow ran out of time before it finished';
  if (ended.status === 'ABORTED') return 'The issuance workflow was stopped before it finished';
  if (ended.status === 'LOST') return 'The issuance workflow is no longer running and never recorded an outcome';
  return `The issuance workflow failed before it could record why (${ended.error || 'unknown error'})`;
}

/**
 * An execution that timed out, was stopped, or failed outside its Catch never reached CleanUpAfterFailure and
 * RecordFailure: do both for it. Its challenge values are removed, and an attempt still pending or running is failed
 * with the reason, so that a new attempt can start. An attempt its own failure path already recorded is left alone.
 * Safe to run twice (EventBridge delivers at least once). A clean-up that fails is thrown after the record is made,
 * so that the event is delivered again.
 */
export async function recordEndedExecution(deps: RecordFailureDeps & Pick<CoreDeps, 'issuance' | 'dnsProviderFor'>, ended: EndedExecution): Promise<{ recorded: boolean; removed: number }> {
  const ids: AttemptIds = { attemptId: ended.attemptId, certificateId: ended.certificateId, organizationId: ended.organizationId };
  let removed = 0;
  let cleanUpError: unknown = null;
  try {
    ({ removed } = await cleanUpChallenges(deps, ids));
  } catch (error) {
    cleanUpError = error;
  }
  const { recorded } = await recordFailure(
    deps,
    { ...ids, error: { Error: ended.status, Cause: endedExecutionReason(ended) } },
    { unlessFinished: true },
  );
  if (cleanUpError) throw cleanUpError;
  return { recorded, removed };
}
