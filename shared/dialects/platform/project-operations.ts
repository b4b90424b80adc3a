import { hostedZoneIdProblem, normalizeHostedZoneId } from '../../adapters/dns/provider-options.ts';
import * as z from 'zod';
import type { OperationGroup } from '../../http/api-handler.ts';
import { readingAhead } from '../../http/api-handler.ts';
import { json } from '../../http/api-types.ts';
import { parseWith, readJsonBody } from '../../http/request.ts';
import type { CertificateApiDeps } from '../../use-cases/core-deps.ts';
import { createProject, deleteProject, getProject, listProjects, updateProject } from '../../use-cases/projects.ts';
import { hydraCollection } from './collection.ts';
import { etagOf, ifMatchVersion } from './etag.ts';
import { JSON_LD, JSON_TYPES, MERGE_PATCH, mergePatchObject, pageRequest } from './paging.ts';
import { projectIri, projectResource, projectsIri } from './project-presenter.ts';

export interface ProjectOperationOptions {
  maxBodyBytes: number;
}

const name = z.string({ message: 'name is required.' }).trim().min(1, 'name must not be empty.').max(200);
// Length and form are the domain rule's (hostnameProblem), which says which part is wrong.
const domain = z.string({ message: 'domain must be a hostname or null.' });

// The wire field of the seed-less project resource: the Route 53 zone (`Z...`, or `/hostedzone/Z...`) DNS-01 writes to.
const hostedZoneId = z
  .string({ message: 'hostedZoneId must be a Route 53 hosted zone id or null.' })
  .max(64)
  .transform((id, context) => {
    const normalized = normalizeHostedZoneId(id);
    if (normalized === null) context.addIssue({ code: 'custom', message: hostedZoneIdProblem(id) });
    return normalized ?? id;
  });

export const createSchema = z.object({ name, domain: domain.nullish(), hostedZoneId: hostedZoneId.nullish() });
export const patchSchema = z.object({ name: name.optional(), domain: domain.nullish(), hostedZoneId: hostedZoneId.nullish() });

/** The wire's `hostedZoneId` as the provider options the core keeps (absent: unchanged, null: none). */
const pinnedOptions = <T extends { hostedZoneId?: string | null | undefined }>({ hostedZoneId: id, ...rest }: T) => ({
  ...rest,
  providerOptions: id === undefined ? undefined : id === null ? null : { hostedZoneId: id },
});

/** Platform dialect: projects of an organization (name, domain, and the one certificate of the projects dialect). */
export function platformProjectOperations(options: ProjectOperationOptions) {
  return {
    'POST /api/organizations/{organizationId}/projects': async ({ deps, principal, event }) => {
      const input = parseWith(createSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES }));
      const project = await createProject(deps, principal, pinnedOptions(input));
      return json(201, projectResource(project), { ...JSON_LD, location: projectIri(project), etag: etagOf(project.version) });
    },

    'GET /api/organizations/{organizationId}/projects': async ({ deps, principal, query }) => {
      const request = pageRequest(query);
      const { items, totalItems } = await listProjects(deps, principal.organizationId, request.page, request.itemsPerPage);
      const body = hydraCollection(projectsIri(principal.organizationId), '/api/contexts/Project', request, items.map(projectResource), totalItems);
      return json(200, body, JSON_LD);
    },

    'GET /api/organizations/{organizationId}/projects/{id}': readingAhead(
      (deps, { organizationId, params }) => getProject(deps, organizationId, params.id ?? ''),
      async (_context, read) => {
        const project = await read;
        return json(200, projectResource(project), { ...JSON_LD, etag: etagOf(project.version) });
      },
    ),

    'PATCH /api/organizations/{organizationId}/projects/{id}': async ({ deps, principal, params, event }) => {
      const body = mergePatchObject(readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: MERGE_PATCH }));
      const patch = parseWith(patchSchema, body);
      const project = await updateProject(deps, principal, params.id ?? '', pinnedOptions(patch), { ifMatchVersion: ifMatchVersion(event) });
      return json(200, projectResource(project), { ...JSON_LD, etag: etagOf(project.version) });
    },

    'DELETE /api/organizations/{organizationId}/projects/{id}': async ({ deps, principal, params, event }) => {
      await deleteProject(deps, principal, params.id ?? '', { ifMatchVersion: ifMatchVersion(event) });
      return { statusCode: 204, body: '' };
    },
  } satisfies OperationGroup<'platform', CertificateApiDeps>;
}
