import type { EndedExecution } from '../../use-cases/acme/ended-execution.ts';

/** The EventBridge event Step Functions sends when an execution changes status, as far as it is read here. */
export interface ExecutionStatusChangeEvent {
  'detail-type'?: string;
  source?: string;
  detail: {
    executionArn?: string;
    stateMachineArn?: string;
    name: string;
    status: string;
    input?: string | null;
    error?: string | null;
    cause?: string | null;
  };
}

export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

const ABNORMAL = ['TIMED_OUT', 'ABORTED', 'FAILED'] as const;
type Abnormal = (typeof ABNORMAL)[number];
const isAbnormal = (status: string): status is Abnormal => (ABNORMAL as readonly string[]).includes(status);

/** The ids the execution was started with (IssuanceExecutionInput), or null for an input that is not ours. */
function executionIds(input: unknown): { certificateId: string; organizationId: number } | null {
  if (typeof input !== 'object' || input === null) return null;
  const { certificateId, organizationId } = input as Record<string, unknown>;
  if (typeof certificateId !== 'string' || certificateId.length === 0 || !Number.isInteger(organizationId)) return null;
  return { certificateId, organizationId: organizationId as number };
}

/**
 * The attempt an ended execution ran: the execution name is the attempt id, the certificate comes from the input
 * it was started with. Null for a status that needs nothing (RUNNING, SUCCEEDED) or an input that is not ours.
 */
export function endedExecutionOf(event: ExecutionStatusChangeEvent): EndedExecution | null {
  const status = event.detail.status;
  if (!isAbnormal(status)) return null;
  let input: unknown;
  try {
    input = JSON.parse(event.detail.input ?? 'null');
  } catch {
    return null;
  }
  const ids = executionIds(input);
  if (!ids) return null;
  return {
    attemptId: event.detail.name,
    certificateId: ids.certificateId,
    organizationId: ids.organizationId,
    status,
    error: event.detail.error ?? null,
  };
}
