import * as z from 'zod';
import type { DnsZone } from '../../domain/dns-zone.ts';
import type { Organization } from '../../domain/organization.ts';
import type { Operation, Operations } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import {
  createOrganization,
  getOrganization,
  grantZone,
  issueOrganizationToken,
  listOrganizationZones,
  listOrganizations,
  setSuspended,
  withdrawZone,
} from '../../use-cases/operator.ts';
import type { OperatorDeps } from '../../use-cases/operator.ts';
import { listAuditEvents } from '../../use-cases/audit.ts';
import { auditResource, tokenResource } from '../identity/presenter.ts';
import { integerParameter } from '../platform/paging.ts';

const JSON_TYPES = ['application/json'];
/** The reply that carries a token's plaintext must not be kept by any cache. */
const NO_STORE = { 'cache-control': 'no-store' };

export const organizationPath = (id: number): string => `/api/operator/organizations/${id}`;

export const organizationResource = (organization: Organization) => ({
  '@id': organizationPath(organization.id),
  id: organization.id,
  name: organization.name,
  createdAt: organization.createdAt,
  suspended: Boolean(organization.suspendedAt),
  suspendedAt: organization.suspendedAt ?? null,
});

/** An account zone as the operator sees it (the organization sees the same zone under its own dns-zones). */
export const grantedZoneResource = (zone: DnsZone) => ({
  '@id': `${organizationPath(zone.organizationId)}/dns-zones/${zone.zoneName}`,
  zoneName: zone.zoneName,
  provider: zone.dnsProvider,
  providerOptions: zone.providerOptions,
  hasCredentials: zone.credentialsSecretName !== null,
  grantedBy: zone.grantedBy,
  createdAt: zone.createdAt,
  organizationId: zone.organizationId,
});

const createSchema = z.object({ name: z.string({ message: 'name is required' }).min(1, 'name is required').max(400) });
const tokenSchema = z.object({
  role: z.enum(['owner', 'admin'], { message: 'role must be "owner" or "admin"' }),
  name: z.string().max(400).optional(),
});
const grantSchema = z.object({
  zoneName: z.string({ message: 'zoneName is required' }).min(1, 'zoneName is required').max(253),
  providerOptions: z.record(z.string(), z.string({ message: 'providerOptions values must be strings' }).max(1024)).optional(),
});

/** The organization id in an operator path; one that cannot exist is simply not found. */
const organizationIdOf = (params: Readonly<Record<string, string>>): number => Number(params.orgId ?? '');

/** The operator's API, above every organization: organizations, their first tokens, and account zone grants. */
export function operatorOperations(options: { maxBodyBytes: number }): Operations<'operator', OperatorDeps> {
  const body = <T>(schema: z.ZodType<T>, event: Parameters<Operation<OperatorDeps>>[0]['event']): T =>
    parseWith(schema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES }));
  return {
    'GET /api/operator/organizations': async ({ deps, query }) => {
      const page = integerParameter(query, 'page', 1, 1, 1_000_000);
      const itemsPerPage = integerParameter(query, 'itemsPerPage', 30, 1, 100);
      const { organizations, total } = await listOrganizations(deps, page, itemsPerPage);
      return json(200, { totalItems: total, page, itemsPerPage, member: organizations.map(organizationResource) });
    },

    'POST /api/operator/organizations': async ({ deps, event }) => {
      const organization = await createOrganization(deps, body(createSchema, event).name);
      return json(201, organizationResource(organization), { location: organizationPath(organization.id) });
    },

    'GET /api/operator/organizations/{orgId}': async ({ deps, params }) =>
      json(200, organizationResource(await getOrganization(deps, organizationIdOf(params)))),

    'POST /api/operator/organizations/{orgId}/suspend': async ({ deps, params }) =>
      json(200, organizationResource(await setSuspended(deps, organizationIdOf(params), true))),

    'POST /api/operator/organizations/{orgId}/reinstate': async ({ deps, params }) =>
      json(200, organizationResource(await setSuspended(deps, organizationIdOf(params), false))),

    'POST /api/operator/organizations/{orgId}/api-tokens': async ({ deps, params, event }) => {
      const { token, plaintext } = await issueOrganizationToken(deps, organizationIdOf(params), body(tokenSchema, event));
      return json(201, { ...tokenResource(token, deps.clock.now()), organizationId: token.organizationId, token: plaintext }, NO_STORE);
    },

    'GET /api/operator/organizations/{orgId}/dns-zones': async ({ deps, params }) =>
      json(200, { member: (await listOrganizationZones(deps, organizationIdOf(params))).map(grantedZoneResource) }),

    'POST /api/operator/organizations/{orgId}/dns-zones': async ({ deps, params, event }) => {
      const zone = await grantZone(deps, organizationIdOf(params), body(grantSchema, event));
      const resource = grantedZoneResource(zone);
      return json(201, resource, { location: resource['@id'] });
    },

    'GET /api/operator/audit-events': async ({ deps, principal, query }) => {
      const limit = integerParameter(query, 'limit', 50, 1, 200);
      const page = await listAuditEvents(deps, principal, limit, query.get('after'));
      return json(200, {
        member: page.events.map(auditResource),
        next: page.next ? `/api/operator/audit-events?limit=${limit}&after=${page.next}` : null,
      });
    },

    'DELETE /api/operator/organizations/{orgId}/dns-zones/{zoneName}': async ({ deps, params }) => {
      await withdrawZone(deps, organizationIdOf(params), params.zoneName ?? '');
      return { statusCode: 204, body: '' };
    },
  };
}
