import type { Project } from '../domain/project.ts';

export interface ProjectPage {
  items: Project[];
  totalItems: number;
}

export interface ProjectRepository {
  create(project: Project): Promise<void>;
  /** The project when it exists and belongs to the organization, else null. */
  get(organizationId: number, id: string): Promise<Project | null>;
  /** One page by offset, oldest first. */
  listPage(organizationId: number, offset: number, limit: number): Promise<ProjectPage>;
  /**
   * Replaces the project when its version is still `expectedVersion` and returns it with the next version.
   * ConflictError when another write came first, NotFoundError when it is gone.
   */
  update(project: Project, expectedVersion: number): Promise<Project>;
  /** Removes the project; NotFoundError when it is not there. */
  delete(organizationId: number, id: string): Promise<void>;
}
