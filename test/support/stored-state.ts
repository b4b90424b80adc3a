import { readdir } from 'node:fs/promises';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import { keyOwnerOf } from '../../shared/adapters/envelope/encryption-context.ts';
import { FileSecretStore } from '../../shared/adapters/file-secrets/file-secret-store.ts';
import { DEFAULT_SECRET_PREFIX, ENV, KEY_STORES } from '../../shared/config/env-names.ts';
import type { KeyStoreKind } from '../../shared/config/env-names.ts';

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

/** The key store the local stack runs with (CERTWRIGHT_KEY_STORE, as a deployment's `certwright:keyStore`). */
export const keyStoreInUse = (): KeyStoreKind => (process.env[ENV.keyStore] as KeyStoreKind | undefined) ?? KEY_STORES[0];

/**
 * Where the running local stack holds a live copy of a certificate key, looked at directly: the secret files
 * (Secrets Manager's stand-in) and the table's envelope item (one marked deleted does not count).
 */
export async function keyStoredIn(name: string): Promise<KeyStoreKind[]> {
  const places: KeyStoreKind[] = [];
  if (await new FileSecretStore(process.env[ENV.secretDir] ?? '').get(name)) places.push('secrets-manager');
  const owner = keyOwnerOf(DEFAULT_SECRET_PREFIX, name);
  if (owner) {
    client ??= createDocumentClient(process.env[ENV.dynamodbEndpoint]);
    const { Item } = await client.send(
      new GetCommand({ TableName: process.env[ENV.tableName], Key: keys.privateKey(owner.organizationId, owner.certificateId, owner.slot) }),
    );
    if (Item && !Item.deletedAt) places.push('envelope');
  }
  return places;
}
