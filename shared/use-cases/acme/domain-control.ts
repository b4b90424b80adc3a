import { delegationTarget, zoneFor } from '../../domain/dns-zone.ts';
import type { DnsZone } from '../../domain/dns-zone.ts';
import { isCertwrightError } from '../../domain/errors.ts';
import type { Violation } from '../../domain/errors.ts';
import type { CoreDeps } from '../core-deps.ts';
import { challengeCnameResolver, resolveChallengeRecordName } from './challenge-name.ts';

/** How one name stands: the zone its DNS-01 record lands in, or what the organization must set up first. */
export interface NameControl {
  name: string;
  /** The zone the TXT record goes to (after any `_acme-challenge` CNAME), or null when none of the organization's. */
  zone: DnsZone | null;
  /** Where the TXT record goes: `_acme-challenge.<name>`, or the end of its CNAME chain. */
  recordName: string;
  /** What to set up, when `zone` is null. */
  problem: string | null;
}

/** The zones and the CNAME lookups the check needs. */
export type DomainControlDeps = Pick<CoreDeps, 'dnsZones' | 'acmeConfig'>;

const recordOf = (name: string): string => `_acme-challenge.${name.replace(/^\*\./, '')}`;

const noZone = (organizationId: number): string =>
  `this organization has no DNS zone yet: register one (POST /api/organizations/${organizationId}/dns-zones) or ask the operator to grant one`;

/** The record that delegates `name`'s challenges into the first of `zones` (by name), in zone-file form; null without zones. */
function delegationRecord(name: string, zones: readonly DnsZone[]): string | null {
  const [first] = [...zones].sort((a, b) => a.zoneName.localeCompare(b.zoneName));
  return first ? `"${recordOf(name)}. CNAME ${delegationTarget(name, first.zoneName)}."` : null;
}

/** What is wrong with `name` and what to set up: `why` is what the chain does, when it is not simply absent. */
function problemOf(name: string, zones: readonly DnsZone[], organizationId: number, why: string | null): string {
  const record = delegationRecord(name, zones);
  if (why === null) return `${name} is not under any DNS zone of this organization: ${record ? `create the DNS record ${record} to delegate its challenges` : noZone(organizationId)}`;
  return `${why}: ${record ? `replace it with the DNS record ${record}` : noZone(organizationId)}`;
}

/**
 * Whether the organization controls each name for DNS-01 (cert-manager picks a solver per zone; here the zone also
 * decides who may certify): its `_acme-challenge` record, after any CNAME chain, must be in one of the organization's
 * zones. A name under a zone is covered unless its challenge record is delegated away; a name outside every zone is
 * covered when its `_acme-challenge` CNAME points into one (the onboarding path for a customer's domain).
 */
export async function checkDomainControl(
  deps: DomainControlDeps,
  organizationId: number,
  names: readonly string[],
  options: { zones?: readonly DnsZone[] } = {},
): Promise<NameControl[]> {
  const zones = options.zones ?? (await deps.dnsZones.list(organizationId));
  // Without a zone nothing can be covered, delegated or not: no DNS lookups.
  if (zones.length === 0) return names.map((name) => ({ name, zone: null, recordName: recordOf(name), problem: problemOf(name, zones, organizationId, null) }));
  const resolveCname = challengeCnameResolver(deps.acmeConfig);
  return Promise.all(
    names.map(async (name): Promise<NameControl> => {
      const start = recordOf(name);
      let recordName: string;
      try {
        recordName = await resolveChallengeRecordName(name, resolveCname);
      } catch (error) {
        // A loop or an overlong chain is the customer's to fix; a DNS outage is not (it stays a 503).
        if (isCertwrightError(error) && error.code === 'bad_request') return { name, zone: null, recordName: start, problem: problemOf(name, zones, organizationId, error.message) };
        throw error;
      }
      const zone = zoneFor(zones, recordName);
      if (zone) return { name, zone, recordName, problem: null };
      const why = recordName === start ? null : `${start} is a CNAME to ${recordName}, which is not in any DNS zone of this organization`;
      return { name, zone: null, recordName, problem: problemOf(name, zones, organizationId, why) };
    }),
  );
}

/** The violations of names not controlled, each naming the name (field `domainName` for the first name, else `sans`). */
export const controlViolations = (controls: readonly NameControl[], names: readonly string[]): Violation[] =>
  controls
    .filter((control) => control.problem !== null)
    .map((control) => ({ field: names.indexOf(control.name) === 0 ? 'domainName' : 'sans', message: control.problem ?? '' }));
