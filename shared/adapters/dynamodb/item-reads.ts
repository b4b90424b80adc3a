import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';
import { guard } from './errors.ts';
import { fitsKey } from './keys.ts';
import { retryWithBackoff } from '../retry-with-backoff.ts';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** BatchGetItem takes at most this many keys a request. */
const BATCH_LIMIT = 100;
/** Unprocessed keys (throttling): asked for again after a growing, jittered pause, until every key is read. */
const KEYS_LEFT = new Error('unprocessed keys left');
const UNTIL_ALL_READ = { maxAttempts: Infinity, baseDelayMs: 50, maxDelayMs: 1000, retryable: (error: unknown) => error === KEYS_LEFT };

/** The key's attribute names, in a fixed order. */
const keyNames = (key: Key) => Object.keys(key).sort();
/** One string per key: its attributes' values in name order (key attribute values are strings or numbers). */
const keyString = (tableName: string, item: Item, names: readonly string[]) => JSON.stringify([tableName, ...names.map((name) => item[name])]);

/**
 * The items with these keys, in no particular order; a key with no item is simply absent. Keys that DynamoDB
 * leaves unprocessed (throttling) are asked for again after a growing, jittered pause, as AWS advises.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: { consistent?: boolean; projection?: string } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  // A key DynamoDB cannot hold names no item; asking for it would fail the whole batch.
  const storable = keys.filter(fitsKey);
  for (let start = 0; start < storable.length; start += BATCH_LIMIT) {
    let pending = storable.slice(start, start + BATCH_LIMIT);
    // Each attempt asks for the keys still pending; a partial answer counts as a failure worth another attempt.
    await retryWithBackoff(async () => {
      const { Responses, UnprocessedKeys } = await guard(
        client.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ...(options.consistent ? { ConsistentRead: true } : {}),
                ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              },
            },
          }),
        ),
      );
      items.push(...(Responses?.[tableName] ?? []));
      pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (pending.length > 0) throw KEYS_LEFT;
    }, UNTIL_ALL_READ);
  }
  return items;
}

interface ItemRead {
  tableName: string;
  key: Key;
  consistent: boolean;
}

/**
 * Reads many single items as few requests: one GetItem when it is alone, else one BatchGetItem per table, strongly
 * consistent when any read in it asks for that, each key asked for once however often it was wanted.
 */
async function readTogether(client: DynamoDBDocumentClient, reads: readonly ItemRead[]): Promise<(Item | undefined)[]> {
  const [only] = reads;
  if (reads.length === 1 && only) {
    const { Item } = await guard(
      client.send(new GetCommand({ TableName: only.tableName, Key: only.key, ...(only.consistent ? { ConsistentRead: true } : {}) })),
    );
    return [Item];
  }
  const byTable = new Map<string, ItemRead[]>();
  for (const read of reads) byTable.set(read.tableName, [...(byTable.get(read.tableName) ?? []), read]);
  const found = new Map<string, Item>();
  await Promise.all(
    [...byTable].map(async ([tableName, tableReads]) => {
      const unique = new Map(tableReads.map((read) => [keyString(tableName, read.key, keyNames(read.key)), read.key]));
      const items = await batchGetAll(client, tableName, [...unique.values()], { consistent: tableReads.some((read) => read.consistent) });
      const names = keyNames(tableReads[0]?.key ?? {});
      for (const item of items) found.set(keyString(tableName, item, names), item);
    }),
  );
  return reads.map((read) => found.get(keyString(read.tableName, read.key, keyNames(read.key))));
}

/** One loader per client: reads of one client are gathered, never those of two. */
const loaders = new WeakMap<DynamoDBDocumentClient, DataLoader<ItemRead, Item | undefined>>();

/**
 * One item by its key, or undefined. Item reads of one client started in the same turn of the event loop reach
 * DynamoDB together as one request (see {@link readTogether}): a credential lookup and the resource a request
 * names cost one round trip, not two. Nothing is cached; every call reads the table.
 */
export function getItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Key,
  options: { consistent?: boolean } = {},
): Promise<Item | undefined> {
  if (!fitsKey(key)) return Promise.resolve(undefined);
  let loader = loaders.get(client);
  if (!loader) {
    loader = new DataLoader((reads: readonly ItemRead[]) => readTogether(client, reads), { cache: false, maxBatchSize: BATCH_LIMIT });
    loaders.set(client, loader);
  }
  return loader.load({ tableName, key, consistent: options.consistent ?? false });
}
