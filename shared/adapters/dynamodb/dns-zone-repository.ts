import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DnsZone } from '../../domain/dns-zone.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { DnsZoneRepository } from '../../ports/dns-zone-repository.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { fitsKey, keys, stripKeys } from './keys.ts';
import { getItem } from './item-reads.ts';

const fromItem = (item: Record<string, unknown>): DnsZone => stripKeys(item) as unknown as DnsZone;

/**
 * DNS zones: one item per (organization, zone name) in the organization's own partition, so one strongly consistent
 * Query lists them (no index lag: a withdrawn zone stops counting at once).
 */
export class DynamoDnsZoneRepository implements DnsZoneRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(organizationId: number): Promise<DnsZone[]> {
    const zones: DnsZone[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await guard(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.dnsZonesOf(organizationId) },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      zones.push(...(page.Items ?? []).map(fromItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return zones;
  }

  async get(organizationId: number, zoneName: string): Promise<DnsZone | null> {
    const key = keys.dnsZone(organizationId, zoneName);
    if (!fitsKey(key)) return null;
    const item = await getItem(this.client, this.tableName, key, { consistent: true });
    return item ? fromItem(item) : null;
  }

  async create(zone: DnsZone): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.dnsZone(zone.organizationId, zone.zoneName), entity: 'dnsZone', ...zone },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(`The organization holds the zone ${zone.zoneName} already`, { cause: error });
      throw storeFailure(error);
    }
  }

  async delete(organizationId: number, zoneName: string): Promise<DnsZone | null> {
    const key = keys.dnsZone(organizationId, zoneName);
    if (!fitsKey(key)) return null;
    const result = await guard(this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' })));
    return result.Attributes ? fromItem(result.Attributes) : null;
  }
}
