import { challengeRecordName } from '../domain/acme.ts';
import { isAccountZone } from '../domain/dns-zone.ts';
import type { DnsZone, DnsZoneTarget } from '../domain/dns-zone.ts';
import { CertwrightError, NotFoundError, ValidationError, isCertwrightError } from '../domain/errors.ts';
import type { Violation } from '../domain/errors.ts';
import { hostnameProblem, normalizeHostname, quoted } from '../domain/hostname.ts';
import type { DnsCredentials } from '../ports/dns-provider.ts';
import type { CoreDeps } from './core-deps.ts';

/** A zone to register or grant, as a dialect parsed it. */
export interface DnsZoneInput {
  zoneName: string;
  dnsProvider?: string | undefined;
  providerOptions?: Record<string, string> | undefined;
  /** The provider's credentials; stored in the secret store only, never returned. */
  credentials?: Record<string, unknown> | null | undefined;
}

export type DnsZoneDeps = Pick<CoreDeps, 'dnsZones' | 'secrets' | 'secretPrefix' | 'clock' | 'newId' | 'acmeConfig'>;

/**
 * The provider's harmless read for `domain`'s challenge record (the zone that serves it and its authoritative name
 * servers), with the credentials as given, before anything is stored: a provider that refuses them answers a 422
 * naming itself (`credentials_refused`); any other failure is the caller's setup, a 400 that says what failed.
 */
export async function checkZoneAccess(
  deps: Pick<CoreDeps, 'dnsProviderFor'>,
  zone: DnsZoneTarget,
  domain: string,
  credentials: DnsCredentials | undefined,
): Promise<string> {
  const record = { name: challengeRecordName(domain), value: '' };
  try {
    const servers = await deps.dnsProviderFor(zone, credentials).authoritativeNameServers(record);
    return `The zone of ${record.name} is served by ${servers.join(', ')}`;
  } catch (error) {
    if (isCertwrightError(error) && error.code === 'credentials_refused') throw error;
    const reason = isCertwrightError(error) ? error.message : 'the DNS provider did not answer';
    throw new CertwrightError('bad_request', `DNS setup check failed for ${record.name}: ${reason}`, { cause: error });
  }
}

/** Where a zone's credentials live: their own kind of secret, with a random part so a name is never reused. */
const credentialsSecretName = (deps: DnsZoneDeps, organizationId: number): string =>
  `${deps.secretPrefix}dns-credentials/${organizationId}/${deps.newId()}`;

const ACCOUNT_ZONE_BY_OPERATOR =
  "A zone of this deployment's own DNS (provider aws without credentials) is granted by the operator only; register the zone with your DNS provider's credentials instead, or ask the operator to grant it";

/** Checks and normalizes a zone's name, provider and options (by the provider's own rules). */
function checkedZone(deps: DnsZoneDeps, organizationId: number, input: DnsZoneInput, grantedBy: DnsZone['grantedBy'], at: string): DnsZone {
  const problems: Violation[] = [];
  const zoneName = normalizeHostname(input.zoneName);
  const problem = hostnameProblem(zoneName, { wildcard: false });
  if (problem) problems.push({ field: 'zoneName', message: `${quoted(input.zoneName)} is not a DNS zone name such as example.com: it ${problem}.` });
  const { names, defaultName, normalizeOptions } = deps.acmeConfig.dnsProviders;
  const dnsProvider = input.dnsProvider ?? defaultName;
  if (!names.includes(dnsProvider)) problems.push({ field: 'provider', message: `provider must be one of ${names.join(', ')}.` });
  const normalized = normalizeOptions(dnsProvider, input.providerOptions ?? {});
  for (const message of normalized.problems) problems.push({ field: 'providerOptions', message });
  const providerOptions = { ...normalized.options };
  if (problems.length > 0) throw new ValidationError(problems);
  return { organizationId, zoneName, dnsProvider, providerOptions, credentialsSecretName: null, grantedBy, createdAt: at };
}

export const listDnsZones = async (deps: Pick<CoreDeps, 'dnsZones'>, organizationId: number): Promise<DnsZone[]> =>
  (await deps.dnsZones.list(organizationId)).sort((a, b) => a.zoneName.localeCompare(b.zoneName));

export async function getDnsZone(deps: Pick<CoreDeps, 'dnsZones'>, organizationId: number, zoneName: string): Promise<DnsZone> {
  const zone = await deps.dnsZones.get(organizationId, normalizeHostname(zoneName));
  if (!zone) throw new NotFoundError('DNS zone');
  return zone;
}

/**
 * An organization registers a zone on a DNS provider with its own credentials. The provider is asked first, with the
 * credentials as given (the harmless read of `checkZoneAccess`), so credentials it refuses or a zone it does not serve
 * never get stored. Then the credentials go to the secret store and the zone names only the secret; a zone that cannot
 * be stored takes its secret with it.
 */
export async function registerDnsZone(deps: DnsZoneDeps & Pick<CoreDeps, 'dnsProviderFor'>, organizationId: number, input: DnsZoneInput): Promise<DnsZone> {
  const zone = checkedZone(deps, organizationId, input, 'organization', deps.clock.now().toISOString());
  const credentials = input.credentials ?? null;
  if (credentials === null || Object.keys(credentials).length === 0) {
    if (isAccountZone({ dnsProvider: zone.dnsProvider, credentialsSecretName: null }, deps.acmeConfig.dnsProviders.defaultName)) throw new CertwrightError('forbidden', ACCOUNT_ZONE_BY_OPERATOR);
    throw new ValidationError([{ field: 'credentials', message: `The ${zone.dnsProvider} provider needs credentials for the zone.` }]);
  }
  await checkZoneAccess(deps, zone, zone.zoneName, credentials);
  const secretName = credentialsSecretName(deps, organizationId);
  await deps.secrets.put(secretName, JSON.stringify(credentials));
  const stored: DnsZone = { ...zone, credentialsSecretName: secretName };
  try {
    await deps.dnsZones.create(stored);
  } catch (error) {
    await deps.secrets.delete(secretName, { withoutRecovery: true }).catch(() => undefined);
    throw error;
  }
  return stored;
}

/** The operator grants an organization a zone of the deployment's own DNS (`aws` through certwright's role). */
export async function grantAccountZone(deps: DnsZoneDeps, organizationId: number, input: Omit<DnsZoneInput, 'credentials' | 'dnsProvider'>): Promise<DnsZone> {
  const zone = checkedZone(deps, organizationId, { ...input, dnsProvider: deps.acmeConfig.dnsProviders.defaultName }, 'operator', deps.clock.now().toISOString());
  await deps.dnsZones.create(zone);
  return zone;
}

/**
 * Removes a zone: an organization removes the zones it registered (and their credentials), the operator withdraws
 * the account zones it granted. Certificates already issued stay; their renewals stop at the next order (the zone is
 * checked again then). The credentials go first, without a recovery window (deleting them again succeeds): a removal
 * that fails after them leaves a zone to remove again, never credentials without their zone.
 */
export async function removeDnsZone(deps: DnsZoneDeps, organizationId: number, zoneName: string, by: DnsZone['grantedBy']): Promise<void> {
  const zone = await getDnsZone(deps, organizationId, zoneName);
  if (zone.grantedBy !== by) {
    throw new CertwrightError(
      'forbidden',
      by === 'organization'
        ? `The zone ${zone.zoneName} was granted by the operator, who alone can withdraw it`
        : `The zone ${zone.zoneName} was registered by the organization with its own credentials; only the organization can remove it`,
    );
  }
  if (zone.credentialsSecretName) await deps.secrets.delete(zone.credentialsSecretName, { withoutRecovery: true });
  const removed = await deps.dnsZones.delete(organizationId, zone.zoneName);
  if (!removed) throw new NotFoundError('DNS zone');
}
