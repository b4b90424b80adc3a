import type { AttemptProgress } from '../../domain/attempt-progress.ts';
import type { Certificate } from '../../domain/certificate.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { StepError } from '../../domain/acme-errors.ts';
import type { CoreDeps } from '../core-deps.ts';

/** The workflow's view of one execution: ids only. */
export interface AttemptIds {
  attemptId: string;
  certificateId: string;
  organizationId: number;
}

/**
 * Applies `change` to the current certificate with the version check, reading again when another writer got in
 * between (a PATCH, a parallel step). `change` returns null to leave the certificate as it is.
 */
export async function changeCertificate(
  deps: Pick<CoreDeps, 'certificates' | 'clock'>,
  ids: Pick<AttemptIds, 'organizationId' | 'certificateId'>,
  change: (certificate: Certificate, now: string) => Certificate | null,
): Promise<Certificate | null> {
  for (let round = 0; ; round += 1) {
    const current = await deps.certificates.get(ids.organizationId, ids.certificateId);
    if (!current) return null;
    const now = deps.clock.now().toISOString();
    const next = change(current, now);
    if (!next) return current;
    try {
      return await deps.certificates.update({ ...next, updatedAt: now }, current.version);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      if (!(error instanceof ConflictError) || round >= 5) throw error;
    }
  }
}

/** The certificate this attempt works on, as long as the attempt is still its current one. */
export async function certificateOfAttempt(deps: Pick<CoreDeps, 'certificates'>, ids: AttemptIds): Promise<Certificate> {
  const certificate = await deps.certificates.get(ids.organizationId, ids.certificateId);
  if (!certificate) throw new StepError('IssuanceSetupError', 'The certificate was deleted while it was being issued');
  if (certificate.lastAttempt?.id !== ids.attemptId) {
    throw new StepError('IssuanceSetupError', 'A newer attempt replaced this one');
  }
  return certificate;
}

/** Throws once the attempt's own deadline has passed, so no loop outlives it. */
export function assertBeforeDeadline(deps: Pick<CoreDeps, 'clock'>, deadline: string, what: string): void {
  if (deps.clock.now().toISOString() > deadline) throw new StepError('AttemptDeadlineError', `The attempt ran out of time while ${what}`);
}

/**
 * Records stages the attempt has reached (one conditional UpdateItem, no read), for clients following it
 * (`lastAttempt.progress`). Progress is for watching: a write that is refused (another attempt took over, an execution
 * older than progress) or fails is no reason to fail the step, which may already have talked to the CA.
 */
export async function noteProgress(
  deps: Pick<CoreDeps, 'certificates' | 'clock'>,
  ids: AttemptIds,
  progress: (now: string) => Partial<AttemptProgress>,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.certificates
    .recordProgress(ids.organizationId, ids.certificateId, { attemptId: ids.attemptId, progress: progress(now), updatedAt: now })
    .catch(() => false);
}
