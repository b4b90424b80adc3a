import type { Certificate, SslStatus } from '../domain/certificate.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { hostnameProblem, isValidDnsName, normalizeHostname, quoted } from '../domain/hostname.ts';
import { mappingSslStatus } from '../domain/hostname-mapping.ts';
import type { HostnameMapping } from '../domain/hostname-mapping.ts';
import type { Principal } from '../domain/organization.ts';
import type { CertificateApiDeps } from './core-deps.ts';
import { assertVersion, withVersionCheck } from './projects.ts';
import type { VersionCheck } from './projects.ts';

/** A mapping with its certificate as it is now; the state is read, not copied, so changes show at once. */
export interface MappingView {
  mapping: HostnameMapping;
  certificate: Certificate | null;
  sslStatus: SslStatus;
}

const view = (mapping: HostnameMapping, certificate: Certificate | null): MappingView => ({
  mapping,
  certificate,
  sslStatus: mappingSslStatus(certificate, mapping.hostname),
});

function checkedHostname(value: string): string {
  const hostname = normalizeHostname(value);
  const problem = hostnameProblem(hostname, { wildcard: true });
  if (problem) throw new ValidationError([{ field: 'hostname', message: `${quoted(value)} is not a hostname such as www.example.com: it ${problem}.` }]);
  return hostname;
}

/** The certificate a mapping will point at: it must be the organization's and cover the hostname. */
async function coveringCertificate(deps: CertificateApiDeps, principal: Principal, certificateId: string, hostname: string): Promise<Certificate> {
  const certificate = await deps.certificates.get(principal.organizationId, certificateId);
  if (!certificate) {
    throw new ValidationError([{ field: 'mappedCertificate', message: `No certificate with id ${certificateId} in this organization.` }]);
  }
  if (mappingSslStatus(certificate, hostname) === 'not_covered') {
    throw new ValidationError([
      { field: 'mappedCertificate', message: `The certificate ${certificate.name} does not cover ${hostname} (it names ${certificate.sans.map((san) => san.name).join(', ')}).` },
    ]);
  }
  return certificate;
}

export async function createHostnameMapping(
  deps: CertificateApiDeps,
  principal: Principal,
  input: { hostname: string; certificateId: string },
): Promise<MappingView> {
  const hostname = checkedHostname(input.hostname);
  const certificate = await coveringCertificate(deps, principal, input.certificateId, hostname);
  const at = deps.clock.now().toISOString();
  const mapping: HostnameMapping = {
    organizationId: principal.organizationId,
    hostname,
    certificateId: certificate.id,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await deps.hostnameMappings.create(mapping);
  return view(mapping, certificate);
}

async function requireMapping(deps: CertificateApiDeps, organizationId: number, hostname: string): Promise<HostnameMapping> {
  // A name that could never be mapped is not looked up (and cannot be a key the table refuses).
  const normalized = normalizeHostname(hostname);
  if (!isValidDnsName(normalized)) throw new NotFoundError('Hostname mapping');
  const mapping = await deps.hostnameMappings.get(organizationId, normalized);
  if (!mapping) throw new NotFoundError('Hostname mapping');
  return mapping;
}

export async function getHostnameMapping(deps: CertificateApiDeps, organizationId: number, hostname: string): Promise<MappingView> {
  const mapping = await requireMapping(deps, organizationId, hostname);
  return view(mapping, await deps.certificates.get(organizationId, mapping.certificateId));
}

/** The organization's mappings by hostname, optionally only those of one certificate. */
export async function listHostnameMappings(
  deps: CertificateApiDeps,
  organizationId: number,
  filter: { certificateId?: string | undefined } = {},
): Promise<MappingView[]> {
  const mappings = (await deps.hostnameMappings.list(organizationId)).filter(
    (mapping) => filter.certificateId === undefined || mapping.certificateId === filter.certificateId,
  );
  const certificates = new Map(
    (await deps.certificates.getMany(organizationId, mappings.map((mapping) => mapping.certificateId))).map((c) => [c.id, c]),
  );
  return mappings.map((mapping) => view(mapping, certificates.get(mapping.certificateId) ?? null));
}

/** Points a hostname at another certificate, which must cover it. */
export async function updateHostnameMapping(
  deps: CertificateApiDeps,
  principal: Principal,
  hostname: string,
  patch: { certificateId?: string | undefined },
  check: VersionCheck = {},
): Promise<MappingView> {
  const current = await requireMapping(deps, principal.organizationId, hostname);
  assertVersion('hostname mapping', current, check);
  const certificateId = patch.certificateId ?? current.certificateId;
  const certificate = await coveringCertificate(deps, principal, certificateId, current.hostname);
  const next = { ...current, certificateId: certificate.id, updatedAt: deps.clock.now().toISOString() };
  const stored = await withVersionCheck('hostname mapping', check, () => deps.hostnameMappings.update(next, current.version));
  return view(stored, certificate);
}

export async function deleteHostnameMapping(deps: CertificateApiDeps, principal: Principal, hostname: string, check: VersionCheck = {}): Promise<void> {
  const current = await requireMapping(deps, principal.organizationId, hostname);
  assertVersion('hostname mapping', current, check);
  await deps.hostnameMappings.delete(principal.organizationId, current.hostname);
}
