import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { guard } from './errors.ts';

type Item = Record<string, unknown>;

export interface QueryFilter {
  expression: string;
  names: Record<string, string>;
  values: Item;
}

/** Every item of one gsi1 collection (all pages), oldest first, optionally filtered. For collections kept small. */
export async function queryAll(client: DynamoDBDocumentClient, tableName: string, partition: string, filter?: QueryFilter): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await guard(
      client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :partition',
          ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
          ExpressionAttributeValues: { ':partition': partition, ...(filter?.values ?? {}) },
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
