import type { Project } from '../../domain/project.ts';
import { isoWithOffset } from './presenter.ts';

export const projectsIri = (organizationId: number): string => `/api/organizations/${organizationId}/projects`;
export const projectIri = (project: Project): string => `${projectsIri(project.organizationId)}/${project.id}`;

export function projectResource(project: Project) {
  return {
    '@context': '/api/contexts/Project',
    '@id': projectIri(project),
    '@type': 'Project',
    id: project.id,
    name: project.name,
    domain: project.domain,
    hostedZoneId: project.providerOptions?.hostedZoneId ?? null,
    certificate: project.certificateId ? `/api/organizations/${project.organizationId}/certificates/${project.certificateId}` : null,
    createdAt: isoWithOffset(project.createdAt),
    updatedAt: isoWithOffset(project.updatedAt),
    organizationId: project.organizationId,
  };
}
