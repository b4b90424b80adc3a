import { z } from 'zod';
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

const executionInput = z.object({ certificateId: z.string().min(1), organizationId: z.number().int() });
const abnormal = z.enum(['TIMED_OUT', 'ABORTED', 'FAILED']);

/**
 * The attempt an ended execution ran: the execution name is the attempt id, the certificate comes from the input
 * it was started with. Null for a status that needs nothing (RUNNING, SUCCEEDED) or an input that is not ours.
 */
export function endedExecutionOf(event: ExecutionStatusChangeEvent): EndedExecution | null {
  const status = abnormal.safeParse(event.detail.status);
  if (!status.success) return null;
  let input: unknown;
  try {
    input = JSON.parse(event.detail.input ?? 'null');
  } catch {
    return null;
  }
  const ids = executionInput.safeParse(input);
  if (!ids.success) return null;
  return {
    attemptId: event.detail.name,
    certificateId: ids.data.certificateId,
    organizationId: ids.data.organizationId,
    status: status.data,
    error: event.detail.error ?? null,
  };
}
