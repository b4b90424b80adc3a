import { CertwrightError, NotFoundError, ValidationError, isCertwrightError } from '../domain/errors.ts';
import type { Violation } from '../domain/errors.ts';
import { nameProblem } from '../domain/display-name.ts';
import { hostnameProblem, normalizeHostname, quoted } from '../domain/hostname.ts';
import type { Principal } from '../domain/organization.ts';
import type { ProviderOptions } from '../domain/acme.ts';
import type { Project } from '../domain/project.ts';
import type { ProjectPage } from '../ports/project-repository.ts';
import type { CertificateApiDeps } from './core-deps.ts';
import { dnsCredentialsSecretName } from './acme/project-zone.ts';

export interface ProjectInput {
  name: string;
  domain?: string | null | undefined;
  /** DNS provider settings pinned for dns-01 (see Project.providerOptions). */
  providerOptions?: ProviderOptions | null | undefined;
}

/** A merge patch of a project: absent keeps, null removes (domain only), a value replaces. */
export interface ProjectPatch {
  name?: string | undefined;
  domain?: string | null | undefined;
  providerOptions?: ProviderOptions | null | undefined;
}

export interface VersionCheck {
  /** The version the client last saw (If-Match); another stored version is a 412 instead of a 409. */
  ifMatchVersion?: number | undefined;
}

const precondition = (what: string) =>
  new CertwrightError('precondition_failed', `The ${what} has changed since the ETag given in If-Match; fetch it again and retry`);

/** Runs an optimistic write; a lost race is a 412 when the client named a version, else the repository's 409. */
export async function withVersionCheck<T>(what: string, check: VersionCheck, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isCertwrightError(error) && error.code === 'conflict' && check.ifMatchVersion !== undefined) throw precondition(what);
    throw error;
  }
}

export function assertVersion(what: string, current: { version: number }, check: VersionCheck): void {
  if (check.ifMatchVersion !== undefined && check.ifMatchVersion !== current.version) throw precondition(what);
}

/** A project domain: one concrete hostname (no wildcard), stored lowercase without a trailing dot. */
function normalizeDomain(domain: string | null | undefined, problems: Violation[]): string | null | undefined {
  if (domain === undefined || domain === null) return domain;
  const normalized = normalizeHostname(domain);
  const problem = hostnameProblem(normalized, { wildcard: false });
  if (problem) problems.push({ field: 'domain', message: `${quoted(domain)} is not a hostname such as api.example.com: it ${problem}.` });
  return normalized;
}

/** A project name: the rules every name follows (see nameProblem). */
function checkName(name: string | undefined, problems: Violation[]): void {
  const problem = name === undefined ? null : nameProblem(name.trim());
  if (problem) problems.push({ field: 'name', message: `name ${problem}.` });
}

export async function createProject(deps: CertificateApiDeps, principal: Principal, input: ProjectInput): Promise<Project> {
  const problems: Violation[] = [];
  checkName(input.name, problems);
  const domain = normalizeDomain(input.domain, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  const at = deps.clock.now().toISOString();
  const project: Project = {
    id: deps.newId(),
    organizationId: principal.organizationId,
    name: input.name.trim(),
    domain: domain ?? null,
    providerOptions: input.providerOptions ?? null,
    certificateId: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await deps.projects.create(project);
  return project;
}

/** The organization's project; another organization's project is not found, exactly like a missing one. */
export async function getProject(deps: CertificateApiDeps, organizationId: number, id: string): Promise<Project> {
  const project = await deps.projects.get(organizationId, id);
  if (!project) throw new NotFoundError('Project');
  return project;
}

export function listProjects(deps: CertificateApiDeps, organizationId: number, page: number, itemsPerPage: number): Promise<ProjectPage> {
  return deps.projects.listPage(organizationId, (page - 1) * itemsPerPage, itemsPerPage);
}

export async function updateProject(
  deps: CertificateApiDeps,
  principal: Principal,
  id: string,
  patch: ProjectPatch,
  check: VersionCheck = {},
): Promise<Project> {
  const current = await getProject(deps, principal.organizationId, id);
  assertVersion('project', current, check);
  const problems: Violation[] = [];
  checkName(patch.name, problems);
  const domain = normalizeDomain(patch.domain, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  const next: Project = {
    ...current,
    name: patch.name === undefined ? current.name : patch.name.trim(),
    domain: domain === undefined ? current.domain : domain,
    providerOptions: patch.providerOptions === undefined ? (current.providerOptions ?? null) : patch.providerOptions,
    updatedAt: deps.clock.now().toISOString(),
  };
  return withVersionCheck('project', check, () => deps.projects.update(next, current.version));
}

/**
 * Deletes a project. Its certificate stays in the organization (visible in the other dialects, perhaps mapped
 * to hostnames); deleting it is a separate, deliberate call. The DNS credentials a projects obtain stored for the
 * project's own zone go with it, first: a delete that fails after them leaves a project to delete again (its renewals
 * stop for want of credentials), never credentials without their owner. They go without a recovery window, which also
 * makes deleting them again succeed.
 */
export async function deleteProject(deps: CertificateApiDeps, principal: Principal, id: string, check: VersionCheck = {}): Promise<void> {
  const current = await getProject(deps, principal.organizationId, id);
  assertVersion('project', current, check);
  await deps.secrets.delete(dnsCredentialsSecretName(deps, principal.organizationId, current.id), { withoutRecovery: true });
  await deps.projects.delete(principal.organizationId, id);
}
