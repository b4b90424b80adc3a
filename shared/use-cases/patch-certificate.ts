import { replaceAttempt } from '../domain/certificate.ts';
import type { Certificate, CertificateType } from '../domain/certificate.ts';
import { inspectCertificateBundle } from '../domain/certificate-inspection.ts';
import { checkedName } from '../domain/display-name.ts';
import { contentFields } from '../domain/certificate-content.ts';
import { CertwrightError, ValidationError, isCertwrightError } from '../domain/errors.ts';
import type { Violation } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import { resumeRenewal } from '../domain/renewal.ts';
import { getCertificate } from './certificate-queries.ts';
import type { CertificateApiDeps } from './core-deps.ts';
import { privateKeySecretName } from './upload-custom-certificate.ts';

/**
 * A merge patch (RFC 7396) in core field names: an absent property keeps the stored value, `null` removes it
 * (back to its default), a value replaces it.
 */
export interface CertificatePatch {
  name?: string | null;
  autoRenew?: boolean | null;
  /** Renewals keep the key (true) or get a new one (false, and null: the default). Auto-managed only. */
  reusePrivateKey?: boolean | null;
  type?: CertificateType;
  certificate?: string;
  privateKey?: string;
  chain?: string | null;
}

export interface PatchOptions {
  /** The version the client last saw (from If-Match); a different stored version answers 412 instead of 409. */
  ifMatchVersion?: number | undefined;
  /** When set, new content must cover this hostname (the projects dialect's domain rule). */
  hostname?: string | undefined;
}

const precondition = () =>
  new CertwrightError('precondition_failed', 'The certificate has changed since the ETag given in If-Match; fetch it again and retry');

/** Unique per replacement, so two racing patches never write the same secret and the loser can remove its own. */
const replacementSecretName = (deps: CertificateApiDeps, organizationId: number, id: string): string =>
  `${privateKeySecretName(deps, organizationId, id)}-${deps.newId()}`;

/**
 * Applies a merge patch to a certificate. New certificate content is verified like an upload and turns the
 * certificate into a `custom` one; its key goes to a new secret, and the old secret is deleted only once the
 * table points at the new one, so a lost race or a failed write leaves exactly one live key per certificate.
 */
export async function patchCertificate(
  deps: CertificateApiDeps,
  principal: Principal,
  id: string,
  patch: CertificatePatch,
  options: PatchOptions = {},
): Promise<Certificate> {
  const current = await getCertificate(deps, principal.organizationId, id);
  if (options.ifMatchVersion !== undefined && options.ifMatchVersion !== current.version) throw precondition();

  const problems: Violation[] = [];
  const now = deps.clock.now();
  const replacesContent = patch.certificate !== undefined || patch.privateKey !== undefined;
  if (replacesContent && (patch.certificate === undefined || patch.privateKey === undefined)) {
    problems.push({
      field: patch.certificate === undefined ? 'certificate' : 'privateKey',
      message: 'A new certificate and its private key must be given together.',
    });
  }
  const resultingType: CertificateType = replacesContent ? 'custom' : current.type;
  // With new content the result is custom whatever `type` says (the seed's own example sends auto_managed then).
  if (!replacesContent && patch.type !== undefined && patch.type !== current.type) {
    problems.push({
      field: 'type',
      message:
        patch.type === 'custom'
          ? 'An auto_managed certificate becomes custom only by supplying new certificateData and privateKeyData.'
          : 'A custom certificate cannot become auto_managed here; obtain an ACME certificate instead.',
    });
  }
  const autoRenew = patch.autoRenew === undefined ? (resultingType === 'custom' ? false : current.autoRenew) : (patch.autoRenew ?? false);
  if (autoRenew && resultingType === 'custom') {
    problems.push({ field: 'autoRenew', message: 'Only auto_managed certificates can be renewed automatically.' });
  }
  const reusePrivateKey = patch.reusePrivateKey === undefined ? (current.reusePrivateKey ?? false) : (patch.reusePrivateKey ?? false);
  if (reusePrivateKey && resultingType === 'custom') {
    problems.push({ field: 'reusePrivateKey', message: 'Only auto_managed certificates are renewed, so only they can keep their key.' });
  }
  if (patch.chain !== undefined && !replacesContent && patch.chain !== null && !current.certificateData) {
    problems.push({ field: 'chain', message: 'This certificate has not been issued yet, so it has no chain to replace.' });
  }
  if (problems.length > 0) throw new ValidationError(problems);

  let next: Certificate = { ...current, autoRenew, updatedAt: now.toISOString() };
  if (resultingType === 'auto_managed') next.reusePrivateKey = reusePrivateKey;
  // autoRenew set to true resumes renewal paused after too many failures: the planner picks it up on its next run.
  if (patch.autoRenew === true && current.renewal) next.renewal = resumeRenewal(current.renewal);
  if (patch.name !== undefined) next.name = patch.name === null ? current.domainName || current.name : checkedName(patch.name);

  let newSecret: { name: string; value: string } | null = null;
  if (replacesContent) {
    const inspected = inspectCertificateBundle(
      { certificate: patch.certificate ?? '', privateKey: patch.privateKey ?? null, chain: patch.chain ?? null },
      { now, requirePrivateKey: true, ...(options.hostname ? { hostname: options.hostname } : {}) },
    );
    const at = now.toISOString();
    if (inspected.privateKeyPem) newSecret = { name: replacementSecretName(deps, principal.organizationId, id), value: inspected.privateKeyPem };
    next = {
      ...next,
      name: patch.name === undefined && current.name === current.domainName ? inspected.domainName : next.name,
      domainName: inspected.domainName,
      sans: inspected.names.map((name) => ({ id: deps.newId(), name, dnsStatus: 'valid', sslStatus: 'covered' })),
      type: 'custom',
      ...contentFields(inspected),
      privateKeySecretName: newSecret?.name ?? null,
      renewAt: null,
      ...replaceAttempt(current, { id: deps.newId(), type: 'custom_import', status: 'succeeded', startedAt: at, finishedAt: at, error: null }),
      reusePrivateKey: false,
      attemptCount: current.attemptCount + 1,
    };
  } else if (patch.chain === null) {
    next.chainData = null;
  } else if (patch.chain !== undefined && current.certificateData) {
    // The stored leaf with the new chain: the chain must link to it by signature, like at upload.
    next.chainData = inspectCertificateBundle({ certificate: current.certificateData, chain: patch.chain }, { now }).chainPem;
  }

  if (newSecret) await deps.secrets.put(newSecret.name, newSecret.value);
  let stored: Certificate;
  try {
    stored = await deps.certificates.update(next, current.version);
  } catch (error) {
    if (newSecret) await deps.secrets.delete(newSecret.name, { withoutRecovery: true });
    if (isCertwrightError(error) && error.code === 'conflict' && options.ifMatchVersion !== undefined) throw precondition();
    throw error;
  }
  if (newSecret && current.privateKeySecretName && current.privateKeySecretName !== newSecret.name) {
    await deps.secrets.delete(current.privateKeySecretName);
  }
  return stored;
}
