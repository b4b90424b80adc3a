import type { AttemptsInFlight, InFlightAttempt } from '../../ports/attempts-in-flight.ts';
import type { ExecutionMonitor, ExecutionState } from '../../ports/execution-monitor.ts';
import type { CoreDeps } from '../core-deps.ts';
import type { AbnormalEnd } from './ended-execution.ts';
import { recordEndedExecution } from './ended-execution.ts';
import type { RecordFailureDeps } from './record-failure.ts';

/** What recording an ended execution takes, the in-flight index and the engine that runs the executions. */
export interface SweeperDeps extends RecordFailureDeps, Pick<CoreDeps, 'issuance' | 'dnsProviderFor'> {
  inFlight: AttemptsInFlight;
  executions: ExecutionMonitor;
  /** Told about an attempt that could not be checked or recorded; the next run tries it again. */
  onSweepError?: (attempt: InFlightAttempt, error: unknown) => void;
}

export interface SweepOptions {
  /**
   * Attempts younger than this are left alone: between the write of an attempt and the start of its execution
   * there is a moment when the engine does not know it yet. 0 when nothing can be starting (the local stack's start).
   */
  graceMs: number;
  /** Most attempts one run looks at; the rest wait for the next run. */
  maxPerRun: number;
}

export interface SweepResult {
  /** In-flight attempts older than the grace period. */
  checked: number;
  /** Still running: left to their execution. */
  running: number;
  /** Failed here, with the reason, because their execution had ended without recording an outcome. */
  failed: number;
  /** Found ended, but recorded meanwhile by their own failure path (or the certificate is gone). */
  alreadyRecorded: number;
  /** Could not be asked about or cleaned up; tried again on the next run. */
  errors: number;
}

/** How the sweeper reports an execution that is not running, in the ended-execution vocabulary. */
function abnormalEnd(state: ExecutionState): AbnormalEnd {
  if (state.status === 'TIMED_OUT' || state.status === 'ABORTED' || state.status === 'FAILED') return state.status;
  // NOT_FOUND, or SUCCEEDED while the attempt is still in flight: the execution is gone without an outcome.
  return 'LOST';
}

/**
 * One run of the attempt sweeper: for every workflow attempt still in flight past the grace period, asks the
 * workflow engine whether its execution runs; one that does not is recorded as an ended execution would be
 * (challenge records removed, attempt failed with the reason, its unused key deleted, renewal planned again).
 * Without it, an execution that died without its Catch (a crash, a deleted execution, a Lambda timeout in the
 * failure path) leaves the certificate `issuing` until the attempt lease runs out, hours later.
 */
export async function sweepAttempts(deps: SweeperDeps, options: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { checked: 0, running: 0, failed: 0, alreadyRecorded: 0, errors: 0 };
  const before = new Date(deps.clock.now().getTime() - options.graceMs);
  const found: InFlightAttempt[] = [];
  for (let shard = 0; shard < deps.inFlight.shardCount && found.length < options.maxPerRun; shard += 1) {
    let after: Record<string, unknown> | null = null;
    do {
      const page = await deps.inFlight.startedBefore(shard, before, options.maxPerRun - found.length, after);
      found.push(...page.items);
      after = page.next;
    } while (after && found.length < options.maxPerRun);
  }
  result.checked = found.length;
  for (const attempt of found) {
    try {
      const state = await deps.executions.describe(attempt.attemptId);
      if (state.status === 'RUNNING') {
        result.running += 1;
        continue;
      }
      const { recorded } = await recordEndedExecution(deps, { ...attempt, status: abnormalEnd(state), error: state.error ?? null });
      if (recorded) result.failed += 1;
      else result.alreadyRecorded += 1;
    } catch (error) {
      result.errors += 1;
      deps.onSweepError?.(attempt, error);
    }
  }
  return result;
}
