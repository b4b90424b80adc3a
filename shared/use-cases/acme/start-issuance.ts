import type { ChallengeType, IssuanceSettings } from '../../domain/acme.ts';
import { normalizeKeySpec } from '../../domain/acme.ts';
import { newCertificateId } from '../../domain/certificate-id.ts';
import { replaceAttempt } from '../../domain/certificate.ts';
import type { AttemptType, Certificate, KeyType } from '../../domain/certificate.ts';
import type { DnsZone, IssuanceZone } from '../../domain/dns-zone.ts';
import { CertwrightError, ConflictError, DomainControlError, ValidationError } from '../../domain/errors.ts';
import type { Violation } from '../../domain/errors.ts';
import { MAX_CERTIFICATE_NAMES } from '../../domain/certificate-inspection.ts';
import { nameProblem } from '../../domain/display-name.ts';
import { hostnameProblem, normalizeHostname, quoted } from '../../domain/hostname.ts';
import type { Principal } from '../../domain/organization.ts';
import { renewalAfterFailure, resumeRenewal } from '../../domain/renewal.ts';
import type { CertificateApiDeps } from '../core-deps.ts';
import { eabSecretName } from './accounts.ts';
import { checkDomainControl, controlViolations } from './domain-control.ts';
import { changeCertificate } from './certificate-progress.ts';
import { newCertificate, pendingContent } from '../../domain/certificate-content.ts';
import { takeOneOrder } from '../order-accounts.ts';

export interface IssuanceRequest {
  domainName: string;
  sans?: readonly string[] | undefined;
  name?: string | undefined;
  email?: string | null | undefined;
  challengeType?: ChallengeType | undefined;
  dnsProvider?: string | null | undefined;
  keyType?: KeyType | undefined;
  keySize?: number | string | undefined;
  staging?: boolean | undefined;
  /** A known CA name (`letsencrypt`, `letsencrypt-staging`) or any RFC 8555 directory URL (https). */
  directory?: string | undefined;
  profile?: string | null | undefined;
  externalAccountBinding?: { kid: string; hmacKey: string } | null | undefined;
  autoRenew?: boolean | undefined;
  /** Renewals keep the key; the deployment's default (CERTWRIGHT_REUSE_PRIVATE_KEY, else false) when absent. */
  reusePrivateKey?: boolean | undefined;
}

/** Ready to start: settings checked, names normalized. Nothing has been written yet. */
export interface PreparedIssuance {
  names: string[];
  settings: IssuanceSettings;
  externalAccountBinding: { kid: string; hmacKey: string } | null;
  autoRenew: boolean;
  reusePrivateKey: boolean;
}

function directoryUrlOf(deps: CertificateApiDeps, request: IssuanceRequest): string {
  const directory = request.directory?.trim();
  if (!directory || directory === 'letsencrypt')
    return request.staging ? deps.acmeConfig.stagingDirectoryUrl : deps.acmeConfig.defaultDirectoryUrl;
  if (directory === 'letsencrypt-staging') return deps.acmeConfig.stagingDirectoryUrl;
  let url: URL;
  try {
    url = new URL(directory);
  } catch {
    throw new ValidationError([
      { field: 'directory', message: 'directory must be letsencrypt, letsencrypt-staging or an https:// ACME directory URL' },
    ]);
  }
  if (url.protocol !== 'https:') throw new ValidationError([{ field: 'directory', message: 'An ACME directory URL must use https' }]);
  return url.toString();
}

/**
 * Checks an issuance request before anything is stored: names, challenge type against wildcards, that the organization
 * controls every name for dns-01 (its zones, or a delegation into one; `zones` narrows them), key type and size, and
 * the profile against what the CA's directory offers.
 */
export async function prepareIssuance(
  deps: CertificateApiDeps,
  organizationId: number,
  request: IssuanceRequest,
  options: { zones?: readonly DnsZone[] } = {},
): Promise<PreparedIssuance> {
  const names = [...new Set([request.domainName, ...(request.sans ?? [])].map(normalizeHostname))];
  const violations: Violation[] = [];
  if (names.length > MAX_CERTIFICATE_NAMES) violations.push({ field: 'sans', message: `At most ${MAX_CERTIFICATE_NAMES} names fit in one certificate` });
  else {
    for (const [index, name] of names.entries()) {
      const problem = hostnameProblem(name, { wildcard: true });
      if (problem) violations.push({ field: index === 0 ? 'domainName' : 'sans', message: `${quoted(name)} is not a valid DNS name: it ${problem}` });
    }
  }
  if (request.name !== undefined) {
    const problem = nameProblem(request.name.trim());
    if (problem) violations.push({ field: 'name', message: `name ${problem}` });
  }
  const wildcard = names.find((name) => name.startsWith('*.'));
  if (request.challengeType === 'http-01' && wildcard)
    violations.push({ field: 'challengeType', message: `${wildcard} is a wildcard: wildcards can only be validated with dns-01` });
  const requestedProvider = request.challengeType === 'http-01' ? null : (request.dnsProvider ?? null);
  const knownProviders = deps.acmeConfig.dnsProviders.names;
  if (requestedProvider !== null && !knownProviders.includes(requestedProvider)) {
    throw new CertwrightError('bad_request', `DNS provider ${requestedProvider} is not supported; use one of ${knownProviders.join(', ')}`);
  }
  if (violations.length > 0) throw new ValidationError(violations);
  // The request itself is checked first, so a mistake in it is told apart from a deployment without ACME.
  if (deps.acmeConfig.unavailableReason) throw new CertwrightError('precondition_failed', deps.acmeConfig.unavailableReason);

  let keySpec;
  try {
    keySpec = normalizeKeySpec(request.keyType, request.keySize);
  } catch (error) {
    throw new ValidationError([{ field: 'keySize', message: (error as Error).message }]);
  }
  const directoryUrl = directoryUrlOf(deps, request);
  // DNS-01 only for names the organization controls, checked before anything is stored or sent to the CA. Without a
  // challenge type, dns-01 when every name is covered, else http-01 (which proves control by itself), except for a
  // wildcard, which only dns-01 can validate.
  let challengeType: ChallengeType = request.challengeType ?? 'http-01';
  let dnsZones: IssuanceZone[] | undefined;
  if (request.challengeType !== 'http-01') {
    const controls = await checkDomainControl(deps, organizationId, names, options.zones ? { zones: options.zones } : {});
    const problems = controlViolations(controls, names);
    if (problems.length === 0) challengeType = 'dns-01';
    else if (request.challengeType === 'dns-01' || wildcard) {
      const why = request.challengeType === 'dns-01' ? '' : `${wildcard} is a wildcard, which only dns-01 can validate, and dns-01 needs a zone: `;
      throw new DomainControlError(problems.map((problem) => ({ ...problem, message: `${why}${problem.message}` })));
    }
    if (challengeType === 'dns-01') {
      const zones = [...new Map(controls.map((control) => [control.zone?.zoneName ?? '', control.zone as DnsZone])).values()];
      const mismatch = requestedProvider === null ? undefined : zones.find((zone) => zone.dnsProvider !== requestedProvider);
      if (mismatch) {
        throw new DomainControlError([
          { field: 'dnsProvider', message: `The zone ${mismatch.zoneName} is served by ${mismatch.dnsProvider}, not ${requestedProvider}; leave dnsProvider out to use the zone's` },
        ]);
      }
      dnsZones = zones.map(({ zoneName, dnsProvider, providerOptions, credentialsSecretName }) => ({ zoneName, dnsProvider, providerOptions, credentialsSecretName }));
    }
  }
  const dnsProvider = dnsZones?.[0]?.dnsProvider ?? null;
  const profile = request.profile?.trim() || null;
  if (profile) {
    const { profiles } = await deps.acme.directory(directoryUrl).catch((error: unknown) => {
      throw new CertwrightError('dependency_unavailable', 'The CA directory could not be read to check the profile', { cause: error });
    });
    if (!profiles.includes(profile)) {
      throw new CertwrightError(
        'bad_request',
        profiles.length > 0
          ? `The CA does not offer the profile ${profile}; it offers ${profiles.join(', ')}`
          : `The CA does not offer profiles, so profile ${profile} cannot be used`,
      );
    }
  }
  return {
    names,
    settings: { directoryUrl, email: request.email?.trim() || null, challengeType, dnsProvider, ...(dnsZones ? { dnsZones } : {}), ...keySpec, profile },
    externalAccountBinding: request.externalAccountBinding ?? null,
    autoRenew: request.autoRenew ?? true,
    reusePrivateKey: request.reusePrivateKey ?? deps.acmeConfig.reusePrivateKeyByDefault,
  };
}

const NOT_STARTED = 'The issuance workflow could not be started';

/** Stores what the workflow needs (settings, EAB) and starts the execution; the attempt must be pending already. */
async function launch(deps: CertificateApiDeps, certificate: Certificate, prepared: PreparedIssuance): Promise<void> {
  await deps.issuance.putSettings(certificate.id, prepared.settings);
  if (prepared.externalAccountBinding) {
    await deps.secrets.put(
      eabSecretName(deps, certificate.organizationId, prepared.settings.directoryUrl),
      JSON.stringify(prepared.externalAccountBinding),
    );
  }
  const attemptId = certificate.lastAttempt?.id ?? '';
  try {
    await deps.workflow.startIssuance({ attemptId, certificateId: certificate.id, organizationId: certificate.organizationId });
  } catch (error) {
    await changeCertificate(deps, { organizationId: certificate.organizationId, certificateId: certificate.id }, (current, now) =>
      current.lastAttempt?.id === attemptId
        ? {
            ...current,
            status: current.certificateData ? current.status : 'failed',
            lastAttempt: { ...current.lastAttempt, status: 'failed', finishedAt: now, error: NOT_STARTED },
            // Tried again later like any failed first issuance (see recordFailure).
            ...(current.certificateData ? {} : renewalAfterFailure(current, { now: new Date(now), error: NOT_STARTED }, deps.random)),
          }
        : null,
    );
    throw error;
  }
}

/** A new auto-managed certificate, visible at once with status pending, and its first issuance started. */
export async function requestAutoManagedCertificate(
  deps: CertificateApiDeps,
  principal: Principal,
  request: IssuanceRequest,
  options: { prepared?: PreparedIssuance; beforeLaunch?: (certificate: Certificate) => Promise<void> } = {},
): Promise<Certificate> {
  const prepared = options.prepared ?? (await prepareIssuance(deps, principal.organizationId, request));
  const created = deps.clock.now();
  // A first issuance is a new order the CA counts: taken from the organization's accounts' budgets, on the account that has some.
  const accountNumber = await takeOneOrder(deps.orderBudget, { organizationId: principal.organizationId, accountsPerCa: deps.acmeConfig.accountsPerCa }, created);
  const now = created.toISOString();
  const [domainName = ''] = prepared.names;
  const certificate = newCertificate({
    id: newCertificateId(created),
    organizationId: principal.organizationId,
    name: request.name?.trim() || domainName,
    domainName,
    sans: prepared.names.map((name) => ({ id: deps.newId(), name, dnsStatus: 'pending', sslStatus: 'pending' })),
    type: 'auto_managed',
    content: pendingContent(prepared.settings.keyType, prepared.settings.keySize),
    privateKeySecretName: null,
    autoRenew: prepared.autoRenew,
    reusePrivateKey: prepared.reusePrivateKey,
    lastAttempt: { id: deps.newId(), type: 'acme_issue', status: 'pending', startedAt: now, finishedAt: null, error: null, accountNumber },
    at: now,
  });
  await deps.certificates.create(certificate);
  await options.beforeLaunch?.(certificate);
  await launch(deps, certificate, prepared);
  return certificate;
}

export const attemptUnderWay = (): ConflictError =>
  new ConflictError(
    'An issuance attempt for this certificate is already under way; follow it on the certificate and try again when it has finished',
  );

/**
 * A new attempt on an existing certificate (obtain again, renew): refused while another attempt is pending or
 * running, so a certificate never has two at once. A person starting one resumes renewal paused after too many
 * failures (the failure count starts afresh).
 */
export async function startAttempt(
  deps: CertificateApiDeps,
  certificate: Certificate,
  prepared: PreparedIssuance,
  type: Extract<AttemptType, 'acme_issue' | 'acme_renew'>,
): Promise<Certificate> {
  // Checked again atomically below; here so that a refused request spends no order.
  if (certificate.lastAttempt?.status === 'pending' || certificate.lastAttempt?.status === 'running') throw attemptUnderWay();
  // Every attempt started here places a new order the CA counts: taken from the organization's accounts' budgets.
  const accountNumber = await takeOneOrder(deps.orderBudget, { organizationId: certificate.organizationId, accountsPerCa: deps.acmeConfig.accountsPerCa }, deps.clock.now());
  const attemptId = deps.newId();
  let busy = false;
  const updated = await changeCertificate(
    deps,
    { organizationId: certificate.organizationId, certificateId: certificate.id },
    (current, now) => {
      busy = current.lastAttempt?.status === 'pending' || current.lastAttempt?.status === 'running';
      if (busy) return null;
      // The names to obtain; a certificate that covered others (a custom one being replaced) takes these now.
      const sans = prepared.names.map(
        (name) =>
          current.sans.find((san) => san.name === name) ?? {
            id: deps.newId(),
            name,
            dnsStatus: 'pending' as const,
            sslStatus: 'pending' as const,
          },
      );
      return {
        ...current,
        domainName: prepared.names[0] ?? current.domainName,
        sans,
        type: 'auto_managed',
        status: current.certificateData && current.status === 'active' ? 'active' : 'pending',
        autoRenew: prepared.autoRenew,
        reusePrivateKey: prepared.reusePrivateKey,
        keyType: current.certificateData ? current.keyType : prepared.settings.keyType,
        keySize: current.certificateData ? current.keySize : prepared.settings.keySize,
        ...replaceAttempt(current, { id: attemptId, type, status: 'pending', startedAt: now, finishedAt: null, error: null, accountNumber }),
        ...(current.renewal ? { renewal: resumeRenewal(current.renewal) } : {}),
        attemptCount: current.attemptCount + 1,
      };
    },
  );
  if (busy) throw attemptUnderWay();
  if (!updated) throw new CertwrightError('not_found', 'Certificate not found');
  await launch(deps, updated, prepared);
  return updated;
}
