import * as z from 'zod';
import type { DnsZone } from '../../domain/dns-zone.ts';
import type { OperationGroup } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import type { CoreDeps } from '../../use-cases/core-deps.ts';
import { getDnsZone, listDnsZones, registerDnsZone, removeDnsZone } from '../../use-cases/dns-zones.ts';
import { hydraCollection } from './collection.ts';
import { JSON_LD, JSON_TYPES, pageRequest } from './paging.ts';
import { isoWithOffset } from './presenter.ts';

export const dnsZonesIri = (organizationId: number): string => `/api/organizations/${organizationId}/dns-zones`;

/** A zone as the platform dialect shows it: never its credentials, only whether it has some. */
export function dnsZoneResource(zone: DnsZone) {
  return {
    '@context': '/api/contexts/DnsZone',
    '@id': `${dnsZonesIri(zone.organizationId)}/${zone.zoneName}`,
    '@type': 'DnsZone',
    zoneName: zone.zoneName,
    provider: zone.dnsProvider,
    providerOptions: zone.providerOptions,
    hasCredentials: zone.credentialsSecretName !== null,
    grantedBy: zone.grantedBy,
    createdAt: isoWithOffset(zone.createdAt),
    organizationId: zone.organizationId,
  };
}

/** The body of a zone registration; `credentials` is kept opaque (each provider knows its own). */
export const dnsZoneSchema = z.object({
  zoneName: z.string({ message: 'zoneName is required.' }).min(1, 'zoneName is required.').max(253),
  provider: z.string({ message: 'provider must be a string.' }).trim().min(1).max(64).optional(),
  providerOptions: z.record(z.string(), z.string({ message: 'providerOptions values must be strings.' }).max(1024), { message: 'providerOptions must be an object of strings.' }).optional(),
  credentials: z.record(z.string(), z.unknown(), { message: 'credentials must be an object.' }).nullish(),
});

/** Platform dialect: the DNS zones an organization may certify names under with DNS-01. */
export function dnsZoneOperations(options: { maxBodyBytes: number }) {
  return {
    'GET /api/organizations/{organizationId}/dns-zones': async ({ deps, principal, query }) => {
      const request = pageRequest(query);
      const zones = await listDnsZones(deps, principal.organizationId);
      const start = (request.page - 1) * request.itemsPerPage;
      const members = zones.slice(start, start + request.itemsPerPage).map(dnsZoneResource);
      return json(200, hydraCollection(dnsZonesIri(principal.organizationId), '/api/contexts/DnsZone', request, members, zones.length), JSON_LD);
    },

    'POST /api/organizations/{organizationId}/dns-zones': async ({ deps, principal, event }) => {
      const input = parseWith(dnsZoneSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES }));
      const zone = await registerDnsZone(deps, principal.organizationId, { ...input, dnsProvider: input.provider });
      const resource = dnsZoneResource(zone);
      return json(201, resource, { ...JSON_LD, location: resource['@id'] });
    },

    'GET /api/organizations/{organizationId}/dns-zones/{zoneName}': async ({ deps, principal, params }) =>
      json(200, dnsZoneResource(await getDnsZone(deps, principal.organizationId, params.zoneName ?? '')), JSON_LD),

    'DELETE /api/organizations/{organizationId}/dns-zones/{zoneName}': async ({ deps, principal, params }) => {
      await removeDnsZone(deps, principal.organizationId, params.zoneName ?? '', 'organization');
      return { statusCode: 204, body: '' };
    },
  } satisfies OperationGroup<'platform', CoreDeps>;
}
