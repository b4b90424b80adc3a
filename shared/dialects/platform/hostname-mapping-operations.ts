import * as z from 'zod';
import { ValidationError } from '../../domain/errors.ts';
import type { OperationGroup } from '../../http/api-handler.ts';
import { readingAhead } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import type { CertificateApiDeps } from '../../use-cases/core-deps.ts';
import {
  createHostnameMapping,
  deleteHostnameMapping,
  getHostnameMapping,
  listHostnameMappings,
  updateHostnameMapping,
} from '../../use-cases/hostname-mappings.ts';
import { hydraCollection } from './collection.ts';
import { etagOf, ifMatchVersion } from './etag.ts';
import { hostnameMappingResource, hostnameMappingsIri } from './hostname-mapping-presenter.ts';
import { JSON_LD, JSON_TYPES, MERGE_PATCH, mergePatchObject, pageRequest } from './paging.ts';

export interface HostnameMappingOperationOptions {
  maxBodyBytes: number;
}

const certificateReference = z.string({ message: 'certificate must be a certificate IRI or id.' }).min(1).max(300);
// `certificate` is parsed as mappedCertificate, the core's name for it (plain `certificate` means certificateData).
const createSchema = z.object({
  hostname: z.string({ message: 'hostname is required.' }).min(1, 'hostname is required.'),
  mappedCertificate: certificateReference,
});
const patchSchema = z.object({ mappedCertificate: certificateReference.optional() });

const asCore = (body: unknown) => {
  const { certificate, ...rest } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return { ...rest, mappedCertificate: certificate };
};

/** `/api/organizations/42/certificates/<id>` (the IRI the API hands out) or the bare id; another organization's IRI is refused. */
function certificateIdOf(reference: string, organizationId: number): string {
  if (!reference.includes('/')) return reference;
  const match = /^\/api\/organizations\/(\d+)\/certificates\/([^/?#]+)$/.exec(reference);
  if (!match || match[1] !== String(organizationId)) {
    throw new ValidationError([{ field: 'mappedCertificate', message: `"${reference}" is not a certificate of this organization.` }]);
  }
  return match[2] ?? '';
}

/** Platform dialect: hostname -> certificate mappings, with each hostname's live coverage. */
export function hostnameMappingOperations(options: HostnameMappingOperationOptions) {
  return {
    'POST /api/organizations/{organizationId}/hostname-mappings': async ({ deps, principal, event }) => {
      const input = parseWith(createSchema, asCore(readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES })));
      const view = await createHostnameMapping(deps, principal, {
        hostname: input.hostname,
        certificateId: certificateIdOf(input.mappedCertificate, principal.organizationId),
      });
      const resource = hostnameMappingResource(view);
      return json(201, resource, { ...JSON_LD, location: resource['@id'], etag: etagOf(view.mapping.version) });
    },

    'GET /api/organizations/{organizationId}/hostname-mappings': async ({ deps, principal, query }) => {
      const request = pageRequest(query);
      // An empty filter is no filter, as API Platform treats it.
      const certificate = query.get('certificate') || null;
      const views = await listHostnameMappings(deps, principal.organizationId, {
        certificateId: certificate === null ? undefined : certificateIdOf(certificate, principal.organizationId),
      });
      const start = (request.page - 1) * request.itemsPerPage;
      const members = views.slice(start, start + request.itemsPerPage).map(hostnameMappingResource);
      const base = hostnameMappingsIri(principal.organizationId);
      const used: Record<string, string> = certificate === null ? {} : { certificate };
      const filters = { offered: ['certificate'], used };
      return json(200, hydraCollection(base, '/api/contexts/HostnameMapping', request, members, views.length, filters), JSON_LD);
    },

    'GET /api/organizations/{organizationId}/hostname-mappings/{hostname}': readingAhead(
      (deps, { organizationId, params }) => getHostnameMapping(deps, organizationId, params.hostname ?? ''),
      async (_context, read) => {
        const view = await read;
        return json(200, hostnameMappingResource(view), { ...JSON_LD, etag: etagOf(view.mapping.version) });
      },
    ),

    'PATCH /api/organizations/{organizationId}/hostname-mappings/{hostname}': async ({ deps, principal, params, event }) => {
      const body = mergePatchObject(readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: MERGE_PATCH }));
      const patch = parseWith(patchSchema, asCore(body));
      const view = await updateHostnameMapping(
        deps,
        principal,
        params.hostname ?? '',
        {
          certificateId:
            patch.mappedCertificate === undefined ? undefined : certificateIdOf(patch.mappedCertificate, principal.organizationId),
        },
        { ifMatchVersion: ifMatchVersion(event) },
      );
      return json(200, hostnameMappingResource(view), { ...JSON_LD, etag: etagOf(view.mapping.version) });
    },

    'DELETE /api/organizations/{organizationId}/hostname-mappings/{hostname}': async ({ deps, principal, params, event }) => {
      await deleteHostnameMapping(deps, principal, params.hostname ?? '', { ifMatchVersion: ifMatchVersion(event) });
      return { statusCode: 204, body: '' };
    },
  } satisfies OperationGroup<'platform', CertificateApiDeps>;
}
