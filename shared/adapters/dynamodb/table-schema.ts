import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one table's keys and indexes. CDK deploys it and the local stack creates it from this same object,
 * so the two cannot drift.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  indexes: [
    // Per-organization collections ordered by creation time (full items).
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
    // The same order with keys only: offset pages skip through it cheaply, then fetch one page of items.
    { name: 'gsi1-keys', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'KEYS_ONLY' },
    // Sparse: only certificates the renewal planner must look at, by shard and due time (see renewal-index.ts).
    { name: 'renewal-due', partitionKey: 'renewShard', sortKey: 'renewDue', projection: 'KEYS_ONLY' },
    // Sparse: certificates with an end date, by shard and expiry, for the daily expiry notices.
    { name: 'expiry', partitionKey: 'expiryShard', sortKey: 'expiryDue', projection: 'KEYS_ONLY' },
    // Sparse: certificates with a workflow attempt under way, by shard and start, for the attempt sweeper.
    { name: 'attempts-in-flight', partitionKey: 'flightShard', sortKey: 'flightSince', projection: 'KEYS_ONLY' },
  ],
} as const;

export const createTableInput = (tableName: string): CreateTableCommandInput => {
  const attributes = new Set<string>([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey]);
  for (const index of TABLE_SCHEMA.indexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
};
