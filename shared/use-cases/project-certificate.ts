import type { Certificate } from '../domain/certificate.ts';
import { certificateHealth, EXPIRING_SOON_DAYS } from '../domain/certificate-health.ts';
import type { CertificateHealth } from '../domain/certificate-health.ts';
import { inspectCertificateBundle } from '../domain/certificate-inspection.ts';
import { CertwrightError, ValidationError, isCertwrightError } from '../domain/errors.ts';
import type { Principal } from '../domain/organization.ts';
import type { Project } from '../domain/project.ts';
import type { CertificateApiDeps } from './core-deps.ts';
import { deleteCertificate } from './delete-certificate.ts';
import type { DeleteOptions } from './delete-certificate.ts';
import { patchCertificate } from './patch-certificate.ts';
import { getProject } from './projects.ts';
import { uploadCustomCertificate } from './upload-custom-certificate.ts';

export interface ProjectCertificateInput {
  /** Leaf and chain, PEM, in any order. */
  certificate: string;
  privateKey: string;
}

export interface ProjectCertificate {
  project: Project;
  certificate: Certificate | null;
}

export type ValidationOutcome =
  | { valid: true; domain: string; expiresAt: string; issuer: string; warnings: string[] }
  | { valid: false; error: string };

const noDomain = () => new CertwrightError('bad_request', 'Project has no domain configured');
const noCertificate = () => new CertwrightError('not_found', 'Project has no certificate');

function requireDomain(project: Project): string {
  if (!project.domain) throw noDomain();
  return project.domain;
}

/** The project and its current certificate; a reference to a certificate deleted elsewhere counts as none. */
export async function getProjectCertificate(deps: CertificateApiDeps, principal: Principal, projectId: string): Promise<ProjectCertificate> {
  const project = await getProject(deps, principal.organizationId, projectId);
  const certificate = project.certificateId ? await deps.certificates.get(principal.organizationId, project.certificateId) : null;
  return { project, certificate };
}

/**
 * Removes a certificate the project no longer uses: record, count and key secret. One that was switched on
 * elsewhere in the meantime (admin activation) is refused by deleteCertificate and stays, merely detached.
 */
async function retire(deps: CertificateApiDeps, principal: Principal, certificateId: string): Promise<void> {
  try {
    await deleteCertificate(deps, principal, certificateId);
  } catch (error) {
    if (!isCertwrightError(error) || (error.code !== 'not_found' && error.code !== 'conflict')) throw error;
  }
}

/**
 * Uploads the project's certificate: verified like every upload and required to cover the project's domain.
 * A project that already has one gets it replaced in place (same id, so hostname mappings and activations keep
 * pointing at it; the old key's secret is deleted once the new one is stored, as with a platform PATCH).
 * Otherwise a new certificate is stored and attached; if the project changed meanwhile it is removed again and
 * the caller gets 409.
 */
export async function uploadProjectCertificate(
  deps: CertificateApiDeps,
  principal: Principal,
  projectId: string,
  input: ProjectCertificateInput,
): Promise<{ project: Project; certificate: Certificate }> {
  const { project, certificate: current } = await getProjectCertificate(deps, principal, projectId);
  const domain = requireDomain(project);
  if (current) {
    const replaced = await patchCertificate(
      deps,
      principal,
      current.id,
      { certificate: input.certificate, privateKey: input.privateKey, chain: null },
      { hostname: domain },
    );
    return { project, certificate: replaced };
  }
  const certificate = await uploadCustomCertificate(
    deps,
    principal,
    { certificate: input.certificate, privateKey: input.privateKey },
    { requirePrivateKey: true, hostname: domain },
  );
  try {
    const updated = await deps.projects.update(
      { ...project, certificateId: certificate.id, updatedAt: deps.clock.now().toISOString() },
      project.version,
    );
    return { project: updated, certificate };
  } catch (error) {
    await retire(deps, principal, certificate.id);
    throw error;
  }
}

/** Checks a certificate and key against the project's domain without storing anything. */
export async function validateProjectCertificate(
  deps: CertificateApiDeps,
  principal: Principal,
  projectId: string,
  input: ProjectCertificateInput,
): Promise<ValidationOutcome> {
  const project = await getProject(deps, principal.organizationId, projectId);
  const domain = requireDomain(project);
  const now = deps.clock.now();
  try {
    const inspected = inspectCertificateBundle(
      { certificate: input.certificate, privateKey: input.privateKey },
      { now, requirePrivateKey: true, hostname: domain },
    );
    const warnings = [...inspected.warnings];
    const days = Math.floor((inspected.notAfter.getTime() - now.getTime()) / 86_400_000);
    if (days < EXPIRING_SOON_DAYS) warnings.push(`The certificate expires in ${days} days.`);
    return { valid: true, domain, expiresAt: inspected.notAfter.toISOString(), issuer: inspected.issuer, warnings };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { valid: false, error: error.violations.map((violation) => violation.message.replace(/\.$/, '')).join('; ') };
  }
}

export async function projectCertificateStatus(
  deps: CertificateApiDeps,
  principal: Principal,
  projectId: string,
): Promise<{ project: Project; certificate: Certificate; health: CertificateHealth }> {
  const { project, certificate } = await getProjectCertificate(deps, principal, projectId);
  if (!certificate) throw noCertificate();
  return { project, certificate, health: certificateHealth(certificate, deps.clock.now()) };
}

/** Detaches the project's certificate and deletes it with its key. */
export async function removeProjectCertificate(
  deps: CertificateApiDeps,
  principal: Principal,
  projectId: string,
  options: DeleteOptions = {},
): Promise<void> {
  const { project, certificate } = await getProjectCertificate(deps, principal, projectId);
  if (!certificate || !project.certificateId) throw noCertificate();
  // Revoked first (`?revoke=true`): a CA that refuses leaves the project and its certificate as they were.
  if (options.revokeFirst && certificate.status !== 'revoked') await options.revokeFirst(certificate);
  await deps.projects.update({ ...project, certificateId: null, updatedAt: deps.clock.now().toISOString() }, project.version);
  await retire(deps, principal, certificate.id);
}
