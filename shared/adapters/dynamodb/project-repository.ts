import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { Project } from '../../domain/project.ts';
import type { ProjectPage, ProjectRepository } from '../../ports/project-repository.ts';
import { guard, isConditionFailure, putVersioned, storeFailure } from './errors.ts';
import { keys, stripKeys } from './keys.ts';
import { getItem } from './item-reads.ts';

function toItem(project: Project): Record<string, unknown> {
  return {
    ...keys.project(project.id),
    gsi1pk: keys.projectsOf(project.organizationId),
    gsi1sk: keys.byCreation(project.createdAt, project.id),
    entity: 'project',
    ...project,
  };
}

const fromItem = (item: Record<string, unknown>): Project => {
  const { hostedZoneId, ...project } = stripKeys(item) as unknown as Project & { hostedZoneId?: string | null };
  // Items written before provider options kept the pinned Route 53 zone as `hostedZoneId`.
  const providerOptions = project.providerOptions ?? (hostedZoneId ? { hostedZoneId } : null);
  return { ...project, domain: project.domain ?? null, providerOptions, certificateId: project.certificateId ?? null };
};

/** Projects: one item each under PROJECT#<id>, listed per organization through gsi1 (ORG#<org>#PROJECT). */
export class DynamoProjectRepository implements ProjectRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(project: Project): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: toItem(project), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError('The project could not be stored', { cause: error });
      throw storeFailure(error);
    }
  }

  async get(organizationId: number, id: string): Promise<Project | null> {
    const item = await getItem(this.client, this.tableName, keys.project(id));
    return item && item.organizationId === organizationId ? fromItem(item) : null;
  }

  async listPage(organizationId: number, offset: number, limit: number): Promise<ProjectPage> {
    const partition = keys.projectsOf(organizationId);
    let totalItems = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await guard(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1-keys',
            KeyConditionExpression: 'gsi1pk = :partition',
            ExpressionAttributeValues: { ':partition': partition },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      totalItems += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (limit <= 0 || offset >= totalItems) return { items: [], totalItems };

    const collected: Project[] = [];
    do {
      const page: QueryCommandOutput = await guard(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :partition',
            ExpressionAttributeValues: { ':partition': partition },
            Limit: offset + limit - collected.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      collected.push(...(page.Items ?? []).map(fromItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey && collected.length < offset + limit);
    return { items: collected.slice(offset, offset + limit), totalItems };
  }

  async update(project: Project, expectedVersion: number): Promise<Project> {
    const next: Project = { ...project, version: expectedVersion + 1 };
    await putVersioned(this.client, this.tableName, toItem(next), { organizationId: project.organizationId, version: expectedVersion, what: 'Project' });
    return next;
  }


  async delete(organizationId: number, id: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.project(id),
          ConditionExpression: 'organizationId = :organization',
          ExpressionAttributeValues: { ':organization': organizationId },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError('Project');
      throw storeFailure(error);
    }
  }
}
