import type { Certificate } from '../../domain/certificate.ts';
import type { DnsZone } from '../../domain/dns-zone.ts';
import { CertwrightError, DomainControlError } from '../../domain/errors.ts';
import { normalizeHostname } from '../../domain/hostname.ts';
import type { Principal } from '../../domain/organization.ts';
import type { ProviderOptions } from '../../domain/acme.ts';
import type { Project } from '../../domain/project.ts';
import type { DnsCredentials } from '../../ports/dns-provider.ts';
import type { CoreDeps } from '../core-deps.ts';
import { deleteCertificate } from '../delete-certificate.ts';
import { checkZoneAccess } from '../dns-zones.ts';
import { getProject } from '../projects.ts';
import { checkHttp01Names } from './http01-preflight.ts';
import { dnsCredentialsSecretName } from './project-zone.ts';
import type { Http01Readiness } from './http01-preflight.ts';
import type { IssuanceRequest } from './start-issuance.ts';
import { prepareIssuance, requestAutoManagedCertificate, startAttempt } from './start-issuance.ts';

export type ObtainRequest = Omit<IssuanceRequest, 'domainName' | 'sans' | 'name'> & {
  dryRun?: boolean | undefined;
  /** dns-01: the provider's credentials; stored in the secret store, never with the settings. */
  dnsCredentials?: DnsCredentials | undefined;
  /** dns-01: provider settings (a zone id, a server) over those the project pins. */
  providerOptions?: ProviderOptions | undefined;
};

export type ObtainOutcome =
  | { dryRun: true; project: Project; checks: string[]; http01?: Http01Readiness[] }
  | { dryRun: false; project: Project; certificate: Certificate };

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
  const [zone] = request.settings.dnsZones ?? [];
  checks.push(await checkZoneAccess(deps, zone ?? request.settings, domain, credentials));
  return checks;
}

/** Whether a zone's options include every option the project pins. */
const pinsMatch = (zone: DnsZone, pinned: Readonly<Record<string, string>>): boolean =>
  Object.entries(pinned).every(([key, value]) => zone.providerOptions[key] === value);

/** The organization's zone a project's pinned provider options name; 422 when they name none of them. */
async function pinnedZone(deps: CoreDeps, project: Project): Promise<DnsZone | undefined> {
  const pinned = project.providerOptions ?? {};
  if (Object.keys(pinned).length === 0) return undefined;
  const zones = await deps.dnsZones.list(project.organizationId);
  const zone = zones.find((candidate) => pinsMatch(candidate, pinned));
  if (!zone) {
    const [[key, value] = ['', '']] = Object.entries(pinned);
    throw new DomainControlError([
      {
        field: key,
        message: `The project's ${key} ${value} is not one of this organization's DNS zones; use a zone the organization holds (GET /api/organizations/${project.organizationId}/dns-zones) or remove ${key}`,
      },
    ]);
  }
  return zone;
}

/**
 * A projects obtain with `dnsCredentials`: the project's own zone, its domain on the provider the request
 * names, with those credentials. It is checked with the provider's harmless read before the credentials are stored,
 * it is the only zone this attempt may write to, and it is never a zone of the deployment's own DNS: every change in
 * it is made with the organization's credentials, so it cannot reach a zone the operator granted to anyone. The CA
 * still validates against public DNS, which decides whether that zone really serves the name.
 */
function projectZone(deps: CoreDeps, organizationId: number, project: Project & { domain: string }, request: ObtainRequest): DnsZone {
  return {
    organizationId,
    zoneName: normalizeHostname(project.domain).replace(/^\*\./, ''),
    dnsProvider: request.dnsProvider ?? deps.acmeConfig.dnsProviders.defaultName,
    providerOptions: { ...project.providerOptions, ...request.providerOptions },
    credentialsSecretName: dnsCredentialsSecretName(deps, organizationId, project.id),
    grantedBy: 'organization',
    createdAt: deps.clock.now().toISOString(),
  };
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
  const dns01 = request.challengeType !== 'http-01';
  const credentials = dns01 && request.dnsCredentials && Object.keys(request.dnsCredentials).length > 0 ? request.dnsCredentials : undefined;
  // Renewals keep the settings of this attempt. Inline credentials make the project's own zone (see projectZone);
  // otherwise a project that pins provider options uses the organization's zone with those options.
  const own = credentials ? projectZone(deps, principal.organizationId, { ...project, domain: project.domain }, request) : undefined;
  const pinned = own ?? (dns01 ? await pinnedZone(deps, project) : undefined);
  const prepared = await prepareIssuance(deps, principal.organizationId, { ...request, domainName: project.domain }, pinned ? { zones: [pinned] } : {});
  if (request.dryRun) {
    const checks = await checkDnsSetup(deps, project.domain, prepared, credentials);
    if (prepared.settings.challengeType !== 'http-01') return { dryRun: true, project, checks };
    // The redirect pattern (docs/http-01.md), checked with the workflow's own pre-flight probe.
    return { dryRun: true, project, checks, http01: await checkHttp01Names(deps, project, [project.domain]) };
  }
  if (credentials && own?.credentialsSecretName) {
    await checkDnsSetup(deps, project.domain, prepared, credentials);
    await deps.secrets.put(own.credentialsSecretName, JSON.stringify(credentials));
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

/** Whether the project's domain is ready for HTTP-01 here (its redirect is in place), checked as the workflow would before an order. */
export async function checkProjectHttp01(
  deps: CoreDeps,
  principal: Principal,
  projectId: string,
): Promise<{ project: Project; domain: string; http01: Http01Readiness[] }> {
  const project = await getProject(deps, principal.organizationId, projectId);
  if (!project.domain) throw new CertwrightError('bad_request', 'Project has no domain configured');
  return { project, domain: project.domain, http01: await checkHttp01Names(deps, project, [project.domain]) };
}
