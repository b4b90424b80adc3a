import { CreateTableCommand, DescribeTableCommand, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_SCHEMA, createTableInput } from '../../shared/adapters/dynamodb/table-schema.ts';

/**
 * Creates the table from the same schema CDK deploys, when it does not exist yet; a table kept under .local/ from
 * an older version gets the indexes it lacks (one per UpdateTable, as DynamoDB allows).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let existing: Set<string>;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? ''));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      }),
    );
    return;
  }
  const wanted = createTableInput(tableName);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName ?? '')) continue;
    const attributes = new Set(index.KeySchema?.map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: wanted.AttributeDefinitions?.filter((definition) => attributes.has(definition.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}
