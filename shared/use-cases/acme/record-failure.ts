import { renewalAfterFailure } from '../../domain/renewal.ts';
import { announceOutcome } from '../announce-outcome.ts';
import type { CoreDeps } from '../core-deps.ts';
import type { AttemptIds } from './certificate-progress.ts';
import { changeCertificate } from './certificate-progress.ts';
import { attemptKeySecretName } from './attempt-key.ts';

/** What a Catch puts in the state: the error's name and its cause (Lambda sends the cause as JSON). */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

const MAX_ERROR_LENGTH = 1000;

/** The reason a user reads in lastAttempt.error: the step's own message (the CA's detail), never a stack. */
export function describeFailure(caught: CaughtError | undefined): string {
  const name = caught?.Error ?? 'Unknown';
  let message = caught?.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message itself (the local runner, a Pass state).
  }
  if (name === 'States.Timeout') message = 'A step of the issuance workflow timed out';
  else if (!message) message = `The issuance workflow failed (${name})`;
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH - 1)}…` : message;
}

/**
 * The failure path's last step: the attempt is failed with its reason, a first issuance is marked failed (a
 * renewal keeps serving the current certificate), and a key generated for this attempt and never used is removed.
 * With `unlessFinished`, an attempt that already succeeded or failed is left as it is (and not announced again):
 * for an execution that ended after its own failure path had its say.
 */
/** The failure path: the certificate, the attempt's key, and the announcement. */
export type RecordFailureDeps = Pick<CoreDeps, 'certificates' | 'clock' | 'secrets' | 'secretPrefix' | 'lifecycle' | 'random'>;

export async function recordFailure(
  deps: RecordFailureDeps,
  input: AttemptIds & { error?: CaughtError },
  options: { unlessFinished?: boolean } = {},
): Promise<{ recorded: boolean }> {
  const reason = describeFailure(input.error);
  let recorded = false;
  const updated = await changeCertificate(deps, input, (current, now) => {
    recorded = false;
    if (current.lastAttempt?.id !== input.attemptId) return null;
    if (options.unlessFinished && (current.lastAttempt.status === 'succeeded' || current.lastAttempt.status === 'failed')) return null;
    recorded = true;
    return {
      ...current,
      status: current.certificateData ? current.status : 'failed',
      lastAttempt: { ...current.lastAttempt, status: 'failed', finishedAt: now, error: reason },
      // A failed renewal, or a failed first issuance of a certificate never issued, is tried again later with
      // backoff (the planner starts it when its certificate is auto-managed with autoRenew on), and stops, saying
      // why, after too many failures. A certificate that has one keeps its renewal schedule after a failed re-issue.
      ...(current.lastAttempt.type === 'acme_renew' || (current.lastAttempt.type === 'acme_issue' && !current.certificateData)
        ? renewalAfterFailure(current, { now: new Date(now), error: reason }, deps.random)
        : {}),
    };
  });
  recorded &&= updated !== null;
  if (recorded && updated) await announceOutcome(deps, updated);
  const keyName = attemptKeySecretName(deps, input);
  if (updated?.privateKeySecretName !== keyName) await deps.secrets.delete(keyName, { withoutRecovery: true });
  return { recorded };
}
