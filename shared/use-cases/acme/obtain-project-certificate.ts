import { challengeRecordName } from '../../domain/acme.ts';
import type { Certificate } from '../../domain/certificate.ts';
import { CertwrightError, isCertwrightError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/organization.ts';
import type { ProviderOptions } from '../../domain/acme.ts';
import type { Project } from '../../domain/project.ts';
import type { DnsCredentials } from '../../ports/dns-provider.ts';
import type { CoreDeps } from '../core-deps.ts';
import { deleteCertificate } from '../delete-certificate.ts';
import { getProject } from '../projects.ts';
import type { IssuanceRequest } from './start-issuance.ts';
import { prepareIssuance, requestAutoManagedCertificate, startAttempt } from './start-issuance.ts';

export type ObtainRequest = Omit<IssuanceRequest, 'domainName' | 'sans' | 'name'> & {
  dryRun?: boolean | undefined;
  /** dns-01: the provider's credentials; stored in the secret store, never with the settings. */
  dnsCredentials?: DnsCredentials | undefined;
  /** dns-01: provider settings (a zone id, a server) over those the project pins. */
  providerOptions?: ProviderOptions | undefined;
};

/** Where a project's DNS provider credentials are kept: their own sub-prefix, so only the steps that use them may read them. */
export const dnsCredentialsSecretName = (deps: Pick<CoreDeps, 'secretPrefix'>, organizationId: number, projectId: string): string =>
  `${deps.secretPrefix}dns-credentials/${organizationId}/projects/${projectId}`;

export type ObtainOutcome =
  { dryRun: true; project: Project; checks: string[] } | { dryRun: false; project: Project; certificate: Certificate };

/**
 * What a dry run can check without issuing: the request itself, and for DNS-01 that the DNS provider knows the
 * zone of the challenge record and its authoritative name servers.
 */
async function checkDnsSetup(
  deps: CoreDeps,
  domain: string,
  request: Awaited<ReturnType<typeof prepareIssuance>>,
  credentials: DnsCredentials | undefined,
): Promise<string[]> {
  const checks = [
    `The request is valid: ${request.settings.challengeType} for ${domain} with a ${request.settings.keyType.toUpperCase()} ${request.settings.keySize} key`,
  ];
  if (request.settings.challengeType !== 'dns-01') return checks;
  const record = { name: challengeRecordName(domain), value: '' };
  try {
    // A harmless read with the credentials as given: a provider that refuses them says so before anything is stored.
    const servers = await deps.dnsProviderFor(request.settings, credentials).authoritativeNameServers(record);
    checks.push(`The zone of ${record.name} is served by ${servers.join(', ')}`);
  } catch (error) {
    if (isCertwrightError(error) && error.code === 'credentials_refused') throw error;
    const reason = isCertwrightError(error) ? error.message : 'the DNS provider did not answer';
    throw new CertwrightError('bad_request', `DNS setup check failed for ${record.name}: ${reason}`, { cause: error });
  }
  return checks;
}

/**
 * Obtains the project's certificate for its domain through the ACME workflow. A project that has one gets a new
 * attempt on that same certificate (same id; a custom one becomes auto-managed and keeps serving until the new one
 * is stored); otherwise a new certificate is created and attached. The reply does not wait for the CA.
 */
export async function obtainProjectCertificate(
  deps: CoreDeps,
  principal: Principal,
  projectId: string,
  request: ObtainRequest,
): Promise<ObtainOutcome> {
  const project = await getProject(deps, principal.organizationId, projectId);
  if (!project.domain) throw new CertwrightError('bad_request', 'Project has no domain configured');
  const checked = await prepareIssuance(deps, { ...request, domainName: project.domain });
  const dns01 = checked.settings.challengeType === 'dns-01';
  const credentials = dns01 ? request.dnsCredentials : undefined;
  const credentialsSecret = credentials ? dnsCredentialsSecretName(deps, principal.organizationId, project.id) : null;
  // DNS-01 uses the provider settings the project pins, then the request's (renewals keep the settings of this attempt).
  const providerOptions = { ...project.providerOptions, ...request.providerOptions };
  const prepared = dns01
    ? {
        ...checked,
        settings: {
          ...checked.settings,
          providerOptions: Object.keys(providerOptions).length > 0 ? providerOptions : null,
          dnsCredentialsSecret: credentialsSecret,
        },
      }
    : checked;
  if (request.dryRun) return { dryRun: true, project, checks: await checkDnsSetup(deps, project.domain, prepared, credentials) };
  if (credentials && credentialsSecret) {
    await checkDnsSetup(deps, project.domain, prepared, credentials);
    await deps.secrets.put(credentialsSecret, JSON.stringify(credentials));
  }

  const current = project.certificateId ? await deps.certificates.get(principal.organizationId, project.certificateId) : null;
  if (current) return { dryRun: false, project, certificate: await startAttempt(deps, current, prepared, 'acme_issue') };

  let attached = project;
  const certificate = await requestAutoManagedCertificate(
    deps,
    principal,
    { domainName: project.domain, name: project.name },
    {
      prepared,
      // Attached before the workflow starts: if the project changed meanwhile, the new certificate is removed again.
      beforeLaunch: async (created) => {
        try {
          attached = await deps.projects.update(
            { ...project, certificateId: created.id, updatedAt: deps.clock.now().toISOString() },
            project.version,
          );
        } catch (error) {
          await deleteCertificate(deps, principal, created.id).catch(() => undefined);
          throw error;
        }
      },
    },
  );
  return { dryRun: false, project: attached, certificate };
}
