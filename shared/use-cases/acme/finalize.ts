import { generateKeyPairSync } from 'node:crypto';
import * as acmeClient from 'acme-client';
import { StepError } from '../../domain/acme-errors.ts';
import { inspectCertificateBundle } from '../../domain/certificate-inspection.ts';
import { contentFields } from '../../domain/certificate-content.ts';
import { ValidationError } from '../../domain/errors.ts';
import { renewalAfterIssuance } from '../../domain/renewal.ts';
import { announceOutcome } from '../announce-outcome.ts';
import type { CoreDeps } from '../core-deps.ts';
import { renewalAdvice } from '../renewal-advice.ts';
import { openAccount } from './accounts.ts';
import type { AttemptIds } from './certificate-progress.ts';
import { assertBeforeDeadline, certificateOfAttempt, changeCertificate } from './certificate-progress.ts';
import type { OrderStepInput } from './challenges.ts';
import { orderIdentifiers } from './create-order.ts';

export interface OrderPollState {
  status: string;
  checks: number;
  /** Where to download the certificate once the order is valid (a public URL); empty until then. */
  certificateUrl: string;
}

/** Each attempt's key has its own secret, so a renewal never overwrites the key the current certificate uses. */
export const attemptKeySecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, ids: AttemptIds): string =>
  `${deps.secretPrefix}certificates/${ids.certificateId}/keys/${ids.attemptId}`;

function generateKey(keyType: 'rsa' | 'ec', keySize: number): string {
  const pair =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: keySize })
      : generateKeyPairSync('ec', { namedCurve: keySize === 384 ? 'P-384' : 'P-256' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * Step 6: generates the certificate key right here and writes it straight to the secret store (it never enters
 * the workflow), then sends the CSR. A retried step reuses the key it already stored.
 */
export async function finalizeOrder(deps: CoreDeps, input: OrderStepInput): Promise<OrderPollState> {
  const certificate = await certificateOfAttempt(deps, input);
  const settings = input.acme.settings;
  const secretName = attemptKeySecretName(deps, input);
  let keyPem = await deps.secrets.get(secretName);
  if (!keyPem) {
    keyPem = generateKey(settings.keyType, settings.keySize);
    await deps.secrets.put(secretName, keyPem);
  }
  const names = orderIdentifiers(
    certificate.domainName,
    certificate.sans.map((san) => san.name),
  );
  const [, csr] = await acmeClient.crypto.createCsr(
    { ...(certificate.domainName.length <= 64 ? { commonName: certificate.domainName } : {}), altNames: names },
    keyPem,
  );
  const session = await openAccount(deps, input.organizationId, input.acme.directoryUrl);
  const order = await deps.acme
    .finalize(session, { url: input.acme.orderUrl, finalize: input.acme.finalizeUrl }, csr.toString())
    .catch(async (error: unknown) => {
      // A retried step whose first try reached the CA: the order is past finalizing already, so carry on with it.
      if (!(error instanceof StepError) || error.name !== 'AcmeProblemError') throw error;
      const current = await deps.acme.getOrder(session, input.acme.orderUrl);
      if (current.status === 'processing' || current.status === 'valid') return current;
      throw error;
    });
  if (order.status === 'invalid') throw new StepError('AcmeProblemError', order.errorDetail ?? 'The CA refused to finalize the order');
  return { status: order.status, checks: 0, certificateUrl: order.certificate ?? '' };
}

/** Step 7, in a Wait loop: reads the order once. */
export async function pollOrder(deps: CoreDeps, input: OrderStepInput & { poll: OrderPollState }): Promise<OrderPollState> {
  assertBeforeDeadline(deps, input.acme.deadline, 'waiting for the CA to issue the certificate');
  const session = await openAccount(deps, input.organizationId, input.acme.directoryUrl);
  const order = await deps.acme.getOrder(session, input.acme.orderUrl);
  if (order.status === 'invalid') throw new StepError('AcmeProblemError', order.errorDetail ?? 'The CA marked the order invalid');
  return { status: order.status, checks: input.poll.checks + 1, certificateUrl: order.certificate ?? '' };
}

/**
 * Step 8: downloads the chain, checks it with the same inspection uploads go through (the key must match, the
 * chain must link), and stores it on the certificate: status active, the attempt succeeded, every SAN covered.
 */
export async function storeCertificate(deps: CoreDeps, input: OrderStepInput & { certificateUrl: string }): Promise<{ stored: true }> {
  const session = await openAccount(deps, input.organizationId, input.acme.directoryUrl);
  if (!input.certificateUrl) throw new StepError('AcmeProblemError', 'The order is valid but names no certificate to download');
  const chainPem = await deps.acme.downloadCertificate(session, input.certificateUrl);
  const secretName = attemptKeySecretName(deps, input);
  const keyPem = await deps.secrets.get(secretName);
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
        Math.random,
        advice?.explanationUrl ?? null,
        advice?.checkAgainAt ?? null,
      ),
      sans: current.sans.map((san) => ({
        ...san,
        dnsStatus: 'valid',
        sslStatus: inspected.names.includes(san.name) ? 'covered' : 'not_covered',
      })),
      lastAttempt: { ...current.lastAttempt, status: 'succeeded', finishedAt: now, error: null },
    };
  });
  if (!stored || stored.lastAttempt?.id !== input.attemptId || stored.privateKeySecretName !== secretName) {
    throw new StepError('IssuanceSetupError', 'The certificate changed while it was being issued; the new certificate was not stored');
  }
  // The key of the certificate this one replaces is no longer referenced.
  if (previousKey && previousKey !== secretName) await deps.secrets.delete(previousKey);
  await announceOutcome(deps, stored, { renewedFrom: previousSerial });
  return { stored: true };
}
