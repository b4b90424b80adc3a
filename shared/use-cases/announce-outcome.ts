import type { Certificate } from '../domain/certificate.ts';
import { certificateEvent } from '../domain/certificate-events.ts';
import type { CertificateEvent } from '../domain/certificate-events.ts';
import type { Clock } from '../domain/clock.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { LifecycleMetrics } from '../ports/lifecycle-metrics.ts';

/** Where lifecycle news goes: events (EventBridge, or a file locally) and metrics (EMF). */
export interface LifecycleDeps {
  events: EventPublisher;
  metrics: Pick<LifecycleMetrics, 'count' | 'flush'>;
}

/**
 * Announces the outcome of the attempt the certificate just recorded in `lastAttempt`: "Certificate Issued",
 * "Certificate Renewed", "Certificate Renewal Failed" or "Certificate Revoked", and the RenewalsSucceeded / RenewalsFailed counts the
 * alarm watches. Best effort: the outcome is already stored, so a failure to announce it is reported to `onError`
 * and never fails the caller (a workflow step would otherwise be retried for a notification).
 */
export async function announceOutcome(
  deps: { lifecycle?: LifecycleDeps | undefined; clock: Clock },
  certificate: Certificate,
  extra: { renewedFrom?: string | null; revocationReason?: string; onError?: (error: unknown) => void } = {},
): Promise<void> {
  const attempt = certificate.lastAttempt;
  if (!deps.lifecycle || !attempt) return;
  const now = deps.clock.now();
  let event: CertificateEvent | null = null;
  if (attempt.type === 'acme_issue' && attempt.status === 'succeeded') event = certificateEvent('Certificate Issued', certificate, now);
  if (attempt.type === 'acme_renew' && attempt.status === 'succeeded') {
    event = certificateEvent('Certificate Renewed', certificate, now, { renewedFrom: extra.renewedFrom ?? null });
    deps.lifecycle.metrics.count('RenewalsSucceeded', 1);
  }
  if (attempt.type === 'acme_renew' && attempt.status === 'failed') {
    event = certificateEvent('Certificate Renewal Failed', certificate, now, { error: attempt.error ?? 'unknown' });
    deps.lifecycle.metrics.count('RenewalsFailed', 1);
  }
  if (attempt.type === 'acme_revoke' && attempt.status === 'succeeded' && certificate.status === 'revoked') {
    event = certificateEvent('Certificate Revoked', certificate, now, { revocationReason: extra.revocationReason ?? 'unspecified' });
  }
  try {
    deps.lifecycle.metrics.flush();
    if (event) await deps.lifecycle.events.publish([event]);
  } catch (error) {
    extra.onError?.(error);
  }
}
