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

const hostedZoneId = z.string({ message: 'hostedZoneId must be a Route 53 hosted zone id or null.' }).max(64);

export const createSchema = z.object({ name, domain: domain.nullish(), hostedZoneId: hostedZoneId.nullish() });
export const patchSchema = z.object({ name: name.optional(), domain: domain.nullish(), hostedZoneId: hostedZoneId.nullish() });

/** Platform dialect: projects of an organization (name, domain, and the one certificate of the projects dialect). */
export function platformProjectOperations(options: ProjectOperationOptions) {
  return {
    'POST /api/organizations/{organizationId}/projects': async ({ deps, principal, event }) => {
      const input = parseWith(createSchema, readJsonBody(event, { maxBytes: options.maxBodyBytes, mediaTypes: JSON_TYPES }));
      const project = await createProject(deps, principal, input);
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
      const project = await updateProject(deps, principal, params.id ?? '', patch, { ifMatchVersion: ifMatchVersion(event) });
      return json(200, projectResource(project), { ...JSON_LD, etag: etagOf(project.version) });
    },

    'DELETE /api/organizations/{organizationId}/projects/{id}': async ({ deps, principal, params, event }) => {
      await deleteProject(deps, principal, params.id ?? '', { ifMatchVersion: ifMatchVersion(event) });
      return { statusCode: 204, body: '' };
    },
  } satisfies OperationGroup<'platform', CertificateApiDeps>;
}
