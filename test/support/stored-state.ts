import { readdir } from 'node:fs/promises';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { ENV } from '../../shared/config/env-names.ts';

/**
 * How many secrets the local stack's file store holds. The directory must exist: a wrong or missing path fails the
 * test instead of reading as "no secret stored".
 */
export async function secretFileCount(): Promise<number> {
  const directory = process.env[ENV.secretDir];
  if (!directory) throw new Error(`${ENV.secretDir} is not set: start the test API first`);
  return (await readdir(directory)).filter((name) => name.endsWith('.secret')).length;
}

let client: DynamoDBDocumentClient | undefined;

/**
 * The key (pk and sk) of every item in the test table, sorted. Tests only: a Scan reads the whole table, which
 * no request path of certwright does.
 */
export async function tableKeys(): Promise<string[]> {
  const tableName = process.env[ENV.tableName];
  if (!tableName) throw new Error(`${ENV.tableName} is not set: start the test API first`);
  client ??= createDocumentClient(process.env[ENV.dynamodbEndpoint]);
  const found: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ProjectionExpression: 'pk, sk', ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    found.push(...(page.Items ?? []).map((item) => `${String(item.pk)} ${String(item.sk)}`));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found.sort();
}
