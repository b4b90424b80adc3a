import type { Certificate } from '../domain/certificate.ts';
import { certificateEvent } from '../domain/certificate-events.ts';
import type { Clock } from '../domain/clock.ts';
import { afterFailure, initialRenewalState, renewAt } from '../domain/renewal.ts';
import type { Random, RenewalPolicy, SuggestedWindow } from '../domain/renewal.ts';
import { DEFAULT_RENEWAL_POLICY } from '../domain/renewal.ts';
import type { CertificateRepository } from '../ports/certificate-repository.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { LifecycleMetrics } from '../ports/lifecycle-metrics.ts';

export interface RenewalOutcomeDeps {
  certificates: Pick<CertificateRepository, 'update'>;
  events: EventPublisher;
  metrics: Pick<LifecycleMetrics, 'count' | 'flush'>;
  clock: Clock;
  random: Random;
  policy?: RenewalPolicy;
}

/**
 * The certificate after a successful issuance or renewal (the new certificate's fields already set by the
 * caller): the next renewal time (inside the CA's ARI window when it gave one), failures reset, and a
 * "Certificate Issued" or "Certificate Renewed" event.
 */
export async function recordIssued(
  deps: RenewalOutcomeDeps,
  certificate: Certificate,
  input: { expectedVersion: number; window: SuggestedWindow | null; explanationUrl?: string | null; renewedFrom?: string | null },
): Promise<Certificate> {
  const now = deps.clock.now();
  if (!certificate.notBefore || !certificate.notAfter) throw new Error('an issued certificate has notBefore and notAfter');
  const next: Certificate = {
    ...certificate,
    renewAt: certificate.autoRenew
      ? renewAt({ notBefore: new Date(certificate.notBefore), notAfter: new Date(certificate.notAfter) }, input.window, deps.random).toISOString()
      : null,
    renewal: {
      ...initialRenewalState(),
      suggestedWindow: input.window ? { start: input.window.start.toISOString(), end: input.window.end.toISOString() } : null,
      explanationUrl: input.explanationUrl ?? null,
    },
    updatedAt: now.toISOString(),
  };
  const stored = await deps.certificates.update(next, input.expectedVersion);
  const renewal = input.renewedFrom !== undefined;
  await deps.events.publish([
    certificateEvent(renewal ? 'Certificate Renewed' : 'Certificate Issued', stored, now, renewal ? { renewedFrom: input.renewedFrom ?? null } : {}),
  ]);
  if (renewal) {
    deps.metrics.count('RenewalsSucceeded', 1);
    deps.metrics.flush();
  }
  return stored;
}

/**
 * The certificate after a failed renewal attempt (lastAttempt already marked failed by the caller): the next
 * try backed off with jitter and never past expiry, or renewal stopped with the reason on the certificate after
 * too many failures; a "Certificate Renewal Failed" event and a RenewalsFailed count for the alarm.
 */
export async function recordRenewalFailure(
  deps: RenewalOutcomeDeps,
  certificate: Certificate,
  input: { expectedVersion: number; error: string },
): Promise<Certificate> {
  const now = deps.clock.now();
  const decision = afterFailure(
    certificate.renewal ?? initialRenewalState(),
    { now, notAfter: certificate.notAfter ? new Date(certificate.notAfter) : null, error: input.error },
    deps.random,
    deps.policy ?? DEFAULT_RENEWAL_POLICY,
  );
  const next: Certificate = {
    ...certificate,
    renewAt: decision.kind === 'retry' ? decision.retryAt.toISOString() : certificate.renewAt,
    renewal: decision.state,
    updatedAt: now.toISOString(),
  };
  const stored = await deps.certificates.update(next, input.expectedVersion);
  await deps.events.publish([certificateEvent('Certificate Renewal Failed', stored, now, { error: input.error })]);
  deps.metrics.count('RenewalsFailed', 1);
  deps.metrics.flush();
  return stored;
}
