import type { Clock } from '../domain/clock.ts';
import { isCertwrightError } from '../domain/errors.ts';
import { HOUR_MS, initialRenewalState, renewAt } from '../domain/renewal.ts';
import type { Random, RenewalState } from '../domain/renewal.ts';
import type { CertificateRepository } from '../ports/certificate-repository.ts';
import type { IssuanceRepository } from '../ports/issuance-repository.ts';
import type { RenewalInfoClient } from '../ports/renewal-info.ts';

export interface RefreshAdviceDeps {
  certificates: Pick<CertificateRepository, 'get' | 'update'>;
  issuance: Pick<IssuanceRepository, 'getSettings'>;
  renewalInfo: RenewalInfoClient;
  clock: Clock;
  random: Random;
}

/**
 * Asks the CA's renewalInfo again when its Retry-After has passed (RFC 9773 section 4.3). A window the CA moved
 * (earlier, after an incident; or later) gives a new random renewAt inside it; the same window keeps renewAt, so
 * polling does not reshuffle renewals. A CA that cannot be reached is asked again in an hour; a CA that no longer
 * gives advice is not asked again, and the current renewAt stands.
 */
export async function refreshRenewalAdvice(
  deps: RefreshAdviceDeps,
  item: { certificateId: string; organizationId: number },
): Promise<void> {
  const certificate = await deps.certificates.get(item.organizationId, item.certificateId);
  if (!certificate?.certificateData || !certificate.notBefore || !certificate.notAfter) return;
  const now = deps.clock.now();
  const renewal: RenewalState = { ...initialRenewalState(), ...certificate.renewal };
  let next = certificate.renewAt;
  const settings = await deps.issuance.getSettings(certificate.id);
  try {
    const advice = settings ? await deps.renewalInfo.renewalInfo(settings.directoryUrl, certificate.certificateData) : null;
    if (!advice) renewal.ariCheckAt = null;
    else {
      const window = { start: advice.suggestedWindow.start.toISOString(), end: advice.suggestedWindow.end.toISOString() };
      if (renewal.suggestedWindow?.start !== window.start || renewal.suggestedWindow.end !== window.end) {
        next = renewAt(
          { notBefore: new Date(certificate.notBefore), notAfter: new Date(certificate.notAfter) },
          advice.suggestedWindow,
          deps.random,
        ).toISOString();
        renewal.suggestedWindow = window;
        renewal.explanationUrl = advice.explanationUrl;
      }
      renewal.ariCheckAt = advice.checkAgainAt.toISOString();
    }
  } catch (error) {
    if (!isCertwrightError(error) || !error.retryable) throw error;
    renewal.ariCheckAt = new Date(now.getTime() + HOUR_MS).toISOString();
  }
  try {
    await deps.certificates.update({ ...certificate, renewAt: next, renewal, updatedAt: now.toISOString() }, certificate.version);
  } catch (error) {
    // Changed meanwhile (a renewal stored, a PATCH): the next run looks again if it still needs to.
    if (!isCertwrightError(error) || (error.code !== 'conflict' && error.code !== 'not_found')) throw error;
  }
}
