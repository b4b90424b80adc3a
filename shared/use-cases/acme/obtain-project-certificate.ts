import { challengeRecordName } from '../../domain/acme.ts';
import type { Certificate } from '../../domain/certificate.ts';
import type { DnsZone } from '../../domain/dns-zone.ts';
import { CertwrightError, DomainControlError, isCertwrightError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/organization.ts';
import type { Project } from '../../domain/project.ts';
import type { CoreDeps } from '../core-deps.ts';
import { deleteCertificate } from '../delete-certificate.ts';
import { getProject } from '../projects.ts';
import { checkHttp01Names } from './http01-preflight.ts';
import type { Http01Readiness } from './http01-preflight.ts';
import type { IssuanceRequest } from './start-issuance.ts';
import { prepareIssuance, requestAutoManagedCertificate, startAttempt } from './start-issuance.ts';

export type ObtainRequest = Omit<IssuanceRequest, 'domainName' | 'sans' | 'name'> & { dryRun?: boolean | undefined };

export type ObtainOutcome =
  | { dryRun: true; project: Project; checks: string[]; http01?: Http01Readiness[] }
  | { dryRun: false; project: Project; certificate: Certificate };

/**
 * What a dry run can check without issuing: the request itself, and for DNS-01 that the DNS provider knows the
 * zone of the challenge record and its authoritative name servers.
 */
async function checkDnsSetup(deps: CoreDeps, domain: string, request: Awaited<ReturnType<typeof prepareIssuance>>): Promise<string[]> {
  const checks = [
    `The request is valid: ${request.settings.challengeType} for ${domain} with a ${request.settings.keyType.toUpperCase()} ${request.settings.keySize} key`,
  ];
  if (request.settings.challengeType !== 'dns-01') return checks;
  const record = { name: challengeRecordName(domain), value: '' };
  try {
    const [zone] = request.settings.dnsZones ?? [];
    const servers = await deps.dnsProviderFor(zone ?? request.settings).authoritativeNameServers(record);
    checks.push(`The zone of ${record.name} is served by ${servers.join(', ')}`);
  } catch (error) {
    const reason = isCertwrightError(error) ? error.message : 'the DNS provider did not answer';
    throw new CertwrightError('bad_request', `DNS setup check failed for ${record.name}: ${reason}`, { cause: error });
  }
  return checks;
}

/** The organization's zone a project's `hostedZoneId` names; 422 when it names none of them. */
async function pinnedZone(deps: CoreDeps, project: Project): Promise<DnsZone | undefined> {
  if (!project.hostedZoneId) return undefined;
  const zones = await deps.dnsZones.list(project.organizationId);
  const zone = zones.find((candidate) => candidate.dnsProvider === 'aws' && candidate.providerOptions.hostedZoneId === project.hostedZoneId);
  if (!zone) {
    throw new DomainControlError([
      {
        field: 'hostedZoneId',
        message: `The project's hostedZoneId ${project.hostedZoneId} is not one of this organization's DNS zones; use a zone the organization holds (GET /api/organizations/${project.organizationId}/dns-zones) or remove hostedZoneId`,
      },
    ]);
  }
  return zone;
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
  // A project that pins a Route 53 zone (hostedZoneId) uses that zone for DNS-01, and only if it is one of the
  // organization's zones; renewals keep the settings of this attempt.
  const pinned = request.challengeType === 'http-01' ? undefined : await pinnedZone(deps, project);
  const prepared = await prepareIssuance(deps, principal.organizationId, { ...request, domainName: project.domain }, pinned ? { zones: [pinned] } : {});
  if (request.dryRun) {
    const checks = await checkDnsSetup(deps, project.domain, prepared);
    if (prepared.settings.challengeType !== 'http-01') return { dryRun: true, project, checks };
    // The redirect pattern (docs/http-01.md), checked with the workflow's own pre-flight probe.
    return { dryRun: true, project, checks, http01: await checkHttp01Names(deps, project, [project.domain]) };
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
