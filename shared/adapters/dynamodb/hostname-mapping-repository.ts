import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { HostnameMapping } from '../../domain/hostname-mapping.ts';
import type { HostnameMappingRepository } from '../../ports/hostname-mapping-repository.ts';
import { isConditionFailure, storeFailure } from './errors.ts';
import { keys, stripKeys } from './keys.ts';
import { queryAll } from './query-all.ts';
import { getItem } from './item-reads.ts';

const toItem = (mapping: HostnameMapping): Record<string, unknown> => ({
  ...keys.hostnameMapping(mapping.organizationId, mapping.hostname),
  gsi1pk: keys.hostnameMappingsOf(mapping.organizationId),
  // Sorted by hostname, which is how people look for them.
  gsi1sk: mapping.hostname,
  entity: 'hostnameMapping',
  ...mapping,
});

const fromItem = (item: Record<string, unknown>): HostnameMapping => stripKeys(item) as unknown as HostnameMapping;

/** Hostname mappings: one item per (organization, hostname), listed per organization through gsi1. */
export class DynamoHostnameMappingRepository implements HostnameMappingRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(mapping: HostnameMapping): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: toItem(mapping), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(`The hostname ${mapping.hostname} is already mapped`, { cause: error });
      throw storeFailure(error);
    }
  }

  async get(organizationId: number, hostname: string): Promise<HostnameMapping | null> {
    const item = await getItem(this.client, this.tableName, keys.hostnameMapping(organizationId, hostname));
    return item ? fromItem(item) : null;
  }

  async list(organizationId: number): Promise<HostnameMapping[]> {
    return (await queryAll(this.client, this.tableName, keys.hostnameMappingsOf(organizationId))).map(fromItem);
  }

  async update(mapping: HostnameMapping, expectedVersion: number): Promise<HostnameMapping> {
    const next: HostnameMapping = { ...mapping, version: expectedVersion + 1 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(next),
          ConditionExpression: 'attribute_exists(pk) AND version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return next;
    } catch (error) {
      if (!isConditionFailure(error)) throw storeFailure(error);
      if (!(error as { Item?: unknown }).Item) throw new NotFoundError('Hostname mapping');
      throw new ConflictError('The hostname mapping was changed by another request; fetch it again and retry', { cause: error });
    }
  }

  async delete(organizationId: number, hostname: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.hostnameMapping(organizationId, hostname),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError('Hostname mapping');
      throw storeFailure(error);
    }
  }
}
