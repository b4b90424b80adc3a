import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiToken, Organization } from '../../domain/organization.ts';
import type { IdentityRepository } from '../../ports/identity-repository.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { keys, stripKeys } from './keys.ts';

export class DynamoIdentityRepository implements IdentityRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createOrganization(name: string, createdAt: string): Promise<Organization> {
    // Organization ids are small integers, as the seeds show them (`"organizationId": 42`).
    const { Attributes } = await guard(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.organizationCounter(),
          UpdateExpression: 'ADD #value :one',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const organization: Organization = { id: Number(Attributes?.value), name, createdAt };
    await guard(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.organization(organization.id), entity: 'organization', certificateCount: 0, ...organization },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return organization;
  }

  async getOrganization(id: number): Promise<Organization | null> {
    const { Item } = await guard(this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.organization(id) })));
    return Item ? { id: Number(Item.id), name: String(Item.name), createdAt: String(Item.createdAt) } : null;
  }

  async putToken(token: ApiToken): Promise<void> {
    await guard(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.token(token.tokenHash),
            gsi1pk: keys.tokensOf(token.organizationId),
            gsi1sk: keys.byCreation(token.createdAt, token.id),
            entity: 'apiToken',
            ...token,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async findTokenByHash(tokenHash: string): Promise<ApiToken | null> {
    const { Item } = await guard(this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.token(tokenHash) })));
    return Item ? (stripKeys(Item) as unknown as ApiToken) : null;
  }

  async claimMarker(name: string, value: Record<string, string | number>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.marker(name), value },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }

  async getMarker(name: string): Promise<Record<string, string | number> | null> {
    const { Item } = await guard(this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.marker(name) })));
    return (Item?.value as Record<string, string | number> | undefined) ?? null;
  }
}
