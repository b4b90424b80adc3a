/**
 * A DNS zone an organization may use for DNS-01: names under it (or delegated into it by an `_acme-challenge`
 * CNAME) are the organization's to certify. An account zone (the deployment's own DNS, `aws` without credentials)
 * is granted by the operator only; a zone on another provider comes with the organization's own credentials.
 */
export interface DnsZone {
  organizationId: number;
  /** Lowercase, no trailing dot: `example.com`. Unique within the organization; it is the zone's id in paths. */
  zoneName: string;
  /** Which DNS provider serves the zone (`aws`: the deployment's own DNS without credentials; see docs/dns-providers.md). */
  dnsProvider: string;
  /** Provider-specific settings, opaque to the core (which zone, which server). Never secret. */
  providerOptions: Record<string, string>;
  /** The secret store name holding the provider credentials; null for an account zone. The value never leaves the store. */
  credentialsSecretName: string | null;
  /** `operator`: an account zone the operator granted; `organization`: registered by the organization itself. */
  grantedBy: 'operator' | 'organization';
  createdAt: string;
}

/** What a DNS provider is chosen and configured by: the zone's provider, its options, and where its credentials are. */
export interface DnsZoneTarget {
  dnsProvider: string | null;
  providerOptions?: Readonly<Record<string, string>> | null | undefined;
  credentialsSecretName?: string | null | undefined;
}

/** A zone as the issuance settings carry it into the workflow: name, provider, options and a credentials reference only. */
export type IssuanceZone = Pick<DnsZone, 'zoneName' | 'dnsProvider' | 'providerOptions' | 'credentialsSecretName'>;

/**
 * The deployment's own DNS: its own provider (`accountProvider`, the default one) through certwright's IAM role, no
 * credentials. Only the operator grants these.
 */
export const isAccountZone = (zone: Pick<DnsZone, 'dnsProvider' | 'credentialsSecretName'>, accountProvider: string): boolean =>
  zone.dnsProvider === accountProvider && zone.credentialsSecretName === null;

const bare = (name: string): string => name.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');

/** Whether `name` is the zone's apex or below it. */
export const isInZone = (zoneName: string, name: string): boolean => {
  const host = bare(name);
  return host === zoneName || host.endsWith(`.${zoneName}`);
};

/** The zone holding `name`: the one with the longest matching suffix (`shop.example.com` before `example.com`). */
export function zoneFor<Z extends { zoneName: string }>(zones: readonly Z[], name: string): Z | null {
  let best: Z | null = null;
  for (const zone of zones) if (isInZone(zone.zoneName, name) && (!best || zone.zoneName.length > best.zoneName.length)) best = zone;
  return best;
}

/**
 * The CNAME target certwright proposes for delegating `name`'s challenges into `zone`: the full name under the zone,
 * so two customer names never share one target, and named `_acme-challenge.*`, the only records certwright's IAM
 * role may change.
 */
export const delegationTarget = (name: string, zoneName: string): string => `_acme-challenge.${bare(name)}.${zoneName}`;
