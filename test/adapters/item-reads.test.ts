import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { batchGetAll, getItem } from '../../shared/adapters/dynamodb/item-reads.ts';
import { CertwrightError } from '../../shared/domain/errors.ts';
import { renewalTable } from '../support/renewal-fixtures.ts';

interface Sent {
  command: string;
  keys: number;
  consistent: boolean;
}

/** A client of the test table that notes each request it sends to DynamoDB Local. */
function observedClient(endpoint: string) {
  const documents = createDocumentClient(endpoint);
  const sent: Sent[] = [];
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { RequestItems?: Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>; ConsistentRead?: boolean };
      const [batch] = Object.values(input.RequestItems ?? {});
      sent.push({ command: context.commandName ?? '', keys: batch?.Keys.length ?? 1, consistent: Boolean(batch?.ConsistentRead ?? input.ConsistentRead) });
      return next(args);
    },
    { step: 'initialize' },
  );
  return { documents, sent };
}

const key = (name: string) => ({ pk: `READ#${name}`, sk: 'READ' });
let table: Awaited<ReturnType<typeof renewalTable>>;

beforeAll(async () => {
  table = await renewalTable();
  for (const name of ['a', 'b']) {
    await table.documents.send(new PutCommand({ TableName: table.tableName, Item: { ...key(name), value: name } }));
  }
});

describe('item reads', () => {
  it('sends reads started together as one BatchGetItem, asks for a key wanted twice once, and answers each read with its own item', async () => {
    const { documents, sent } = observedClient(table.endpoint);
    const read = (name: string) => getItem(documents, table.tableName, key(name));

    const [a, b, missing, again] = await Promise.all([read('a'), read('b'), read('missing'), read('a')]);

    expect([a?.value, b?.value, missing, again?.value]).toEqual(['a', 'b', undefined, 'a']);
    expect(sent).toEqual([{ command: 'BatchGetItemCommand', keys: 3, consistent: false }]);
  });

  it('sends a read alone as a GetItem, reads of later turns separately, and a batch strongly consistent when one read asks for it', async () => {
    const { documents, sent } = observedClient(table.endpoint);

    expect((await getItem(documents, table.tableName, key('a')))?.value).toBe('a');
    expect((await getItem(documents, table.tableName, key('b'), { consistent: true }))?.value).toBe('b');
    await Promise.all([getItem(documents, table.tableName, key('a')), getItem(documents, table.tableName, key('b'), { consistent: true })]);

    expect(sent).toEqual([
      { command: 'GetItemCommand', keys: 1, consistent: false },
      { command: 'GetItemCommand', keys: 1, consistent: true },
      { command: 'BatchGetItemCommand', keys: 2, consistent: true },
    ]);
  });

  it('fails every read of a failed batch with the store error, whose message says nothing internal', async () => {
    const { documents } = observedClient(table.endpoint);
    const reads = [getItem(documents, 'no-such-table', key('a')), getItem(documents, 'no-such-table', key('b'))];

    for (const read of reads) {
      const error = await read.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CertwrightError);
      expect(error).toMatchObject({ code: 'dependency_unavailable', message: 'The data store did not answer' });
    }
  });

  it('reads more keys than one BatchGetItem takes in requests of at most 100', async () => {
    const { documents, sent } = observedClient(table.endpoint);
    const names = Array.from({ length: 150 }, (_, index) => `many-${index}`);
    await Promise.all(names.map((name) => documents.send(new PutCommand({ TableName: table.tableName, Item: { ...key(name), value: name } }))));
    sent.length = 0;

    const items = await batchGetAll(documents, table.tableName, names.map(key));

    expect(items.map((item) => item.value).sort()).toEqual([...names].sort());
    expect(sent.map((request) => request.keys)).toEqual([100, 50]);
  });
});
