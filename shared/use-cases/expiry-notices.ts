import { certificateEvent } from '../domain/certificate-events.ts';
import type { CertificateEvent } from '../domain/certificate-events.ts';
import type { Clock } from '../domain/clock.ts';
import { DAY_MS, daysToExpiry } from '../domain/renewal.ts';
import type { CertificateRepository } from '../ports/certificate-repository.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { ExpiryIndex } from '../ports/expiry-index.ts';
import type { LifecycleMetrics } from '../ports/lifecycle-metrics.ts';

export interface ExpiryNoticeDeps {
  expiry: ExpiryIndex;
  certificates: Pick<CertificateRepository, 'getMany'>;
  events: EventPublisher;
  metrics: LifecycleMetrics;
  clock: Clock;
}

export interface ExpiryNoticeResult {
  approaching: number;
  expired: number;
  /** The fewest days left among the certificates looked at, or null when none is close to expiry. */
  minDaysToExpiry: number | null;
  /** Auto-renewing certificates in the window whose last attempt failed. */
  failingRenewals: number;
}

/**
 * Where the run starts reading: expired certificates stay in it until they are renewed, replaced or deleted, so the
 * expiry alarm keeps breaching while any is expired. The index is sorted by expiry, so they cost one read each.
 */
const EARLIEST = new Date(0);

/**
 * The daily run: "Certificate Approaching Expiration" for every certificate within `noticeDays` of its end, and
 * "Certificate Expired" for those that ran out since the previous day's run; a DaysToExpiry metric for each, expired
 * ones included; and how many of them are failing to renew. Certificates further out are not read at all.
 */
export async function sendExpiryNotices(deps: ExpiryNoticeDeps, options: { noticeDays: number }): Promise<ExpiryNoticeResult> {
  const now = deps.clock.now();
  const found = await deps.expiry.expiringBetween(EARLIEST, new Date(now.getTime() + options.noticeDays * DAY_MS));
  const expiredSince = new Date(now.getTime() - DAY_MS);
  const byOrganization = new Map<number, string[]>();
  for (const entry of found) byOrganization.set(entry.organizationId, [...(byOrganization.get(entry.organizationId) ?? []), entry.certificateId]);

  const events: CertificateEvent[] = [];
  const result: ExpiryNoticeResult = { approaching: 0, expired: 0, minDaysToExpiry: null, failingRenewals: 0 };
  for (const [organizationId, ids] of byOrganization) {
    for (const certificate of await deps.certificates.getMany(organizationId, ids)) {
      if (!certificate.notAfter || certificate.status === 'revoked') continue;
      const notAfter = new Date(certificate.notAfter);
      const days = daysToExpiry(notAfter, now);
      deps.metrics.daysToExpiry(certificate, days);
      result.minDaysToExpiry = result.minDaysToExpiry === null ? days : Math.min(result.minDaysToExpiry, days);
      if (certificate.type === 'auto_managed' && certificate.autoRenew && certificate.lastAttempt?.status === 'failed') result.failingRenewals += 1;
      if (notAfter <= expiredSince) continue; // said on an earlier day; still in the metric above
      if (notAfter <= now) {
        events.push(certificateEvent('Certificate Expired', certificate, now));
        result.expired += 1;
      } else {
        events.push(certificateEvent('Certificate Approaching Expiration', certificate, now));
        result.approaching += 1;
      }
    }
  }
  await deps.events.publish(events);
  // Every day, zero included, so the alarm on it returns to OK once the renewals recover.
  deps.metrics.count('RenewalsFailing', result.failingRenewals);
  deps.metrics.flush();
  return result;
}
