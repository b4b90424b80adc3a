import { createPrivateKey } from 'node:crypto';
import { StepError } from '../../domain/acme-errors.ts';
import { inspectCertificateBundle } from '../../domain/certificate-inspection.ts';
import { contentFields } from '../../domain/certificate-content.ts';
import type { Certificate } from '../../domain/certificate.ts';
import { ValidationError } from '../../domain/errors.ts';
import { renewalAfterIssuance, replacesExemptAt } from '../../domain/renewal.ts';
import { announceOutcome } from '../announce-outcome.ts';
import type { CoreDeps } from '../core-deps.ts';
import { renewalAdvice } from '../renewal-advice.ts';
import { accountOfOrder, openAccount } from './accounts.ts';
import type { AccountDeps } from './accounts.ts';
import { attemptKeySecretName } from './attempt-key.ts';
import { assertBeforeDeadline, certificateOfAttempt, changeCertificate, noteProgress } from './certificate-progress.ts';
import type { OrderStepInput } from './challenges.ts';
import { orderIdentifiers } from './create-order.ts';

export interface OrderPollState {
  status: string;
  checks: number;
  /** Where to download the certificate once the order is valid (a public URL); empty until then. */
  certificateUrl: string;
  /** The CA's last unused nonce, for the next step. */
  nonce: string | null;
}

/** Whether a PEM key is of the type and size the settings ask for (a kept key must still be what was asked). */
function keyMatches(keyPem: string, keyType: 'rsa' | 'ec', keySize: number): boolean {
  try {
    const key = createPrivateKey(keyPem);
    const details = key.asymmetricKeyDetails ?? {};
    if (keyType === 'rsa') return key.asymmetricKeyType === 'rsa' && details.modulusLength === keySize;
    return key.asymmetricKeyType === 'ec' && details.namedCurve === (keySize === 384 ? 'secp384r1' : 'prime256v1');
  } catch {
    return false;
  }
}

/**
 * The current key, for a renewal of a certificate set to keep its key (`reusePrivateKey`), as long as it is still
 * of the type and size its settings ask for; null means a new key.
 */
async function keptKey(
  deps: Pick<CoreDeps, 'secrets'>,
  certificate: Certificate,
  settings: OrderStepInput['acme']['settings'],
): Promise<{ secretName: string; keyPem: string } | null> {
  if (certificate.lastAttempt?.type !== 'acme_renew' || !certificate.reusePrivateKey || !certificate.privateKeySecretName) return null;
  const keyPem = await deps.secrets.get(certificate.privateKeySecretName);
  if (!keyPem || !keyMatches(keyPem, settings.keyType, settings.keySize)) return null;
  return { secretName: certificate.privateKeySecretName, keyPem };
}

/**
 * Step 6: the certificate key, read or made right here (it never enters the workflow), then the CSR. A renewal
 * of a certificate that keeps its key signs the CSR with the key in its current secret; otherwise a new key is
 * generated and written straight to a secret of this attempt's own. A retried step uses the key it used before.
 */
/** What finalize and the order polls take: the account, the certificate, and the key's secret. */
export type OrderStepDeps = AccountDeps & Pick<CoreDeps, 'certificates' | 'secretPrefix'>;

export async function finalizeOrder(deps: OrderStepDeps, input: OrderStepInput): Promise<OrderPollState> {
  const settings = input.acme.settings;
  const secretName = attemptKeySecretName(deps, input);
  // Independent reads, at once: the certificate, a key a first try of this step may have left, the account.
  const [certificate, attemptKey, session] = await Promise.all([
    certificateOfAttempt(deps, input),
    deps.secrets.get(secretName),
    openAccount(deps, accountOfOrder(input.organizationId, input.acme), input.nonce ?? null),
  ]);
  let keyPem = attemptKey ?? (await keptKey(deps, certificate, settings))?.keyPem ?? null;
  if (!keyPem) {
    keyPem = deps.acme.generateKey(settings.keyType, settings.keySize);
    await deps.secrets.put(secretName, keyPem);
    // Checked after the write, not only before: an attempt failed meanwhile (stopped, swept) had its key removed
    // before this write landed, and nothing else would remove it now. recordFailure marks the attempt failed
    // before it deletes the key, so one of the two always sees the other.
    const now = await deps.certificates.get(input.organizationId, input.certificateId);
    const attempt = now?.lastAttempt;
    if (attempt?.id !== input.attemptId || (attempt.status !== 'pending' && attempt.status !== 'running')) {
      await deps.secrets.delete(secretName, { withoutRecovery: true });
      throw new StepError('IssuanceSetupError', 'The attempt ended while its key was being made');
    }
  }
  const names = orderIdentifiers(
    certificate.domainName,
    certificate.sans.map((san) => san.name),
  );
  const csr = await deps.acme.createCsr(keyPem, {
    commonName: certificate.domainName.length <= 64 ? certificate.domainName : null,
    altNames: names,
  });
  const order = await deps.acme
    .finalize(session, { url: input.acme.orderUrl, finalize: input.acme.finalizeUrl }, csr)
    .catch(async (error: unknown) => {
      // A retried step whose first try reached the CA: the order is past finalizing already, so carry on with it.
      if (!(error instanceof StepError) || error.name !== 'AcmeProblemError') throw error;
      const current = await deps.acme.getOrder(session, input.acme.orderUrl);
      if (current.status === 'processing' || current.status === 'valid') return current;
      throw error;
    });
  if (order.status === 'invalid') throw new StepError('AcmeProblemError', order.errorDetail ?? 'The CA refused to finalize the order');
  if (order.status === 'valid') await noteProgress(deps, input, (now) => ({ finalized: now }));
  return { status: order.status, checks: 0, certificateUrl: order.certificate ?? '', nonce: session.nonce ?? null };
}

/** Step 7, in a Wait loop: reads the order once. */
export async function pollOrder(deps: OrderStepDeps, input: OrderStepInput & { poll: OrderPollState }): Promise<OrderPollState> {
  assertBeforeDeadline(deps, input.acme.deadline, 'waiting for the CA to issue the certificate');
  const session = await openAccount(deps, accountOfOrder(input.organizationId, input.acme), input.nonce ?? null);
  const order = await deps.acme.getOrder(session, input.acme.orderUrl);
  if (order.status === 'invalid') throw new StepError('AcmeProblemError', order.errorDetail ?? 'The CA marked the order invalid');
  // Once: the workflow stops polling when the order is valid.
  if (order.status === 'valid') await noteProgress(deps, input, (now) => ({ finalized: now }));
  return { status: order.status, checks: input.poll.checks + 1, certificateUrl: order.certificate ?? '', nonce: session.nonce ?? null };
}

/**
 * Step 8: downloads the chain, checks it with the same inspection uploads go through (the key must match, the
 * chain must link), and stores it on the certificate: status active, the attempt succeeded, every SAN covered.
 */
/** Storing also announces the outcome and asks the CA when to renew. */
export type StoreStepDeps = OrderStepDeps & Pick<CoreDeps, 'lifecycle' | 'renewalInfo' | 'random' | 'acmeConfig'>;

export async function storeCertificate(deps: StoreStepDeps, input: OrderStepInput & { certificateUrl: string }): Promise<{ stored: true }> {
  if (!input.certificateUrl) throw new StepError('AcmeProblemError', 'The order is valid but names no certificate to download');
  const session = await openAccount(deps, accountOfOrder(input.organizationId, input.acme), input.nonce ?? null);
  // This attempt's own key when finalize made one, else the kept key finalize signed with; read while the chain downloads.
  let secretName = attemptKeySecretName(deps, input);
  const [chainPem, attemptKey] = await Promise.all([
    deps.acme.downloadCertificate(session, input.certificateUrl),
    deps.secrets.get(secretName),
  ]);
  let keyPem = attemptKey;
  if (!keyPem) {
    const kept = await keptKey(deps, await certificateOfAttempt(deps, input), input.acme.settings);
    if (kept) ({ secretName, keyPem } = kept);
  }
  if (!keyPem) throw new StepError('IssuanceSetupError', 'The key generated for this attempt is missing from the secret store');
  let inspected;
  try {
    inspected = inspectCertificateBundle({ certificate: chainPem, privateKey: keyPem }, { now: deps.clock.now() });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new StepError('AcmeProblemError', `The CA issued a certificate that does not check out: ${error.message}`);
    throw error;
  }
  const advice = await renewalAdvice(deps, input.acme.directoryUrl, inspected.certificatePem);
  let previousKey: string | null = null;
  let previousSerial: string | null = null;
  const stored = await changeCertificate(deps, input, (current, now) => {
    if (current.lastAttempt?.id !== input.attemptId) return null;
    // A kept key must still be the current one (a PATCH may have replaced it meanwhile).
    if (secretName !== attemptKeySecretName(deps, input) && current.privateKeySecretName !== secretName) return null;
    previousKey = current.privateKeySecretName;
    previousSerial = current.serialNumber;
    return {
      ...current,
      ...contentFields(inspected),
      privateKeySecretName: secretName,
      // Inside the CA's ARI window when it gave one, else a third of the lifetime before expiry (half for
      // short-lived certificates); failures forgotten.
      ...renewalAfterIssuance(
        { notBefore: inspected.notBefore, notAfter: inspected.notAfter },
        advice?.suggestedWindow ?? null,
        deps.random,
        advice?.explanationUrl ?? null,
        advice?.checkAgainAt ?? null,
        // Its renewal carries `replaces` (on this same account): spends no order budget where the CA exempts it.
        replacesExemptAt(input.acme.directoryUrl, deps.acmeConfig.replacesExemptDirectories),
      ),
      // Revocation and the renewal that replaces it use the account that issued it.
      accountNumber: input.acme.accountNumber ?? 0,
      sans: current.sans.map((san) => ({
        ...san,
        dnsStatus: 'valid',
        sslStatus: inspected.names.includes(san.name) ? 'covered' : 'not_covered',
      })),
      lastAttempt: {
        ...current.lastAttempt,
        status: 'succeeded',
        finishedAt: now,
        error: null,
        ...(current.lastAttempt.progress ? { progress: { ...current.lastAttempt.progress, stored: now } } : {}),
      },
    };
  });
  if (!stored || stored.lastAttempt?.id !== input.attemptId || stored.privateKeySecretName !== secretName) {
    throw new StepError('IssuanceSetupError', 'The certificate changed while it was being issued; the new certificate was not stored');
  }
  // The key of the certificate this one replaces is no longer referenced (a kept key is, and stays).
  if (previousKey && previousKey !== secretName) await deps.secrets.delete(previousKey);
  await announceOutcome(deps, stored, { renewedFrom: previousSerial });
  return { stored: true };
}
