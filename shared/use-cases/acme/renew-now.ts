import type { Certificate } from '../../domain/certificate.ts';
import { CertwrightError } from '../../domain/errors.ts';
import type { CertificateApiDeps } from '../core-deps.ts';
import { orderIdentifiers } from './create-order.ts';
import { startAttempt } from './start-issuance.ts';

export interface RenewNowOutcome {
  /** The certificate with its new `acme_renew` attempt pending; it keeps serving the current certificate. */
  certificate: Certificate;
  /** When the certificate being replaced was issued (its notBefore). */
  renewedFrom: string | null;
}

/**
 * Renews an auto-managed certificate now, through the same workflow and the same kind of attempt (`acme_renew`)
 * as the renewal planner: same settings, same account, a new key unless the certificate keeps its key, `replaces`
 * on the order. The new order is taken from the order budgets of the organization's accounts, the planner's, so
 * renewing by hand cannot push an account over the CA's limit: when every budget is spent, 429 with when one frees up. Refused (409) while
 * another attempt is under way; a custom, revoked or never-issued certificate cannot be renewed (400). Renewal
 * paused after too many failures resumes (see startAttempt).
 */
export async function renewCertificateNow(deps: CertificateApiDeps, certificate: Certificate): Promise<RenewNowOutcome> {
  if (deps.acmeConfig.unavailableReason) throw new CertwrightError('precondition_failed', deps.acmeConfig.unavailableReason);
  if (certificate.type !== 'auto_managed') {
    throw new CertwrightError('bad_request', 'Only ACME certificates can be renewed; upload a new custom certificate instead');
  }
  if (certificate.status === 'revoked') {
    throw new CertwrightError('bad_request', 'A revoked certificate cannot be renewed; obtain a new one');
  }
  if (!certificate.certificateData) {
    throw new CertwrightError('bad_request', 'The certificate has not been issued yet, so there is nothing to renew');
  }
  const settings = await deps.issuance.getSettings(certificate.id);
  if (!settings) throw new CertwrightError('bad_request', 'The certificate has no ACME settings; obtain it again');
  // The new order is taken from the organization's accounts' budgets by startAttempt (429 when all are spent).
  const started = await startAttempt(
    deps,
    certificate,
    {
      names: orderIdentifiers(
        certificate.domainName,
        certificate.sans.map((san) => san.name),
      ),
      settings,
      externalAccountBinding: null,
      autoRenew: certificate.autoRenew,
      reusePrivateKey: certificate.reusePrivateKey ?? false,
    },
    'acme_renew',
  );
  return { certificate: started, renewedFrom: certificate.notBefore };
}

