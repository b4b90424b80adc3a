/**
 * What the workflow engine knows of an attempt's execution: Step Functions' execution statuses, plus `NOT_FOUND`
 * for one that never started or is no longer known (the local runner forgets everything when it restarts).
 */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'NOT_FOUND';

export interface ExecutionState {
  status: ExecutionStatus;
  /** The error name of a FAILED execution, when the engine reports one. */
  error?: string | null;
}

/** Asks the workflow engine about the execution of an attempt (execution name = attempt id). */
export interface ExecutionMonitor {
  describe(attemptId: string): Promise<ExecutionState>;
}
