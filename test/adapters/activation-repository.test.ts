import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoActivationRepository } from '../../shared/adapters/dynamodb/activation-repository.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { activationChange, organizationScope, projectScope } from '../../shared/domain/activation.ts';
import { CertwrightError, ConflictError } from '../../shared/domain/errors.ts';

const documents = mockClient(DynamoDBDocumentClient);
const repository = new DynamoActivationRepository(createDocumentClient(), 'certwright');
const AT = '2026-03-01T00:00:00.000Z';

interface Action {
  Key?: { pk: string; sk: string };
  Item?: { pk: string; sk: string };
  ConditionExpression?: string;
  UpdateExpression?: string;
}

/** What each item of the transaction sent does, to which key, on which condition (or with which update). */
async function sentItems() {
  const [call] = documents.commandCalls(TransactWriteCommand);
  return (call?.args[0].input.TransactItems ?? []).map((item) => {
    const [kind, action] = Object.entries(item)[0] as [string, Action];
    const key = action.Key ?? action.Item;
    return [kind, `${key?.pk} ${key?.sk}`, action.ConditionExpression ?? action.UpdateExpression];
  });
}

beforeEach(() => {
  documents.reset();
  documents.on(TransactWriteCommand).resolves({});
});

describe('DynamoActivationRepository.apply', () => {
  it('activates the ids that are off and checks that the ids already on still are, in one transaction with the scope set', async () => {
    await repository.apply(7, organizationScope, activationChange(['a', 'b'], new Set(['b']), true, AT));
    expect(await sentItems()).toEqual([
      ['ConditionCheck', 'CERT#a CERT', 'attribute_exists(pk) AND organizationId = :organization'],
      ['Put', 'CERT#a ACTIVE#ORG', 'attribute_not_exists(pk)'],
      ['Update', 'CERT#a ACTIVATIONS', 'ADD activeCount :one SET entity = :entity, certificateId = :id'],
      ['ConditionCheck', 'CERT#b ACTIVE#ORG', 'attribute_exists(pk)'],
      ['Update', 'ACTIVESET#ORG#7 SET', 'ADD ids :ids SET entity = :entity'],
    ]);
  });

  it('deactivates the ids that are on and checks that the ids already off still are', async () => {
    await repository.apply(7, projectScope('p1'), activationChange(['a', 'b'], new Set(['a']), false, AT));
    expect(await sentItems()).toEqual([
      ['Delete', 'CERT#a ACTIVE#PROJECT#p1', 'attribute_exists(pk)'],
      ['Update', 'CERT#a ACTIVATIONS', 'ADD activeCount :minusOne'],
      ['ConditionCheck', 'CERT#b ACTIVE#PROJECT#p1', 'attribute_not_exists(pk)'],
      ['Update', 'ACTIVESET#PROJECT#p1 SET', 'DELETE ids :ids'],
    ]);
  });

  it('still sends an idempotent call that switches nothing, as checks only, so it is ordered against concurrent calls', async () => {
    await repository.apply(7, organizationScope, activationChange(['a', 'b'], new Set(['a', 'b']), true, AT));
    expect(await sentItems()).toEqual([
      ['ConditionCheck', 'CERT#a ACTIVE#ORG', 'attribute_exists(pk)'],
      ['ConditionCheck', 'CERT#b ACTIVE#ORG', 'attribute_exists(pk)'],
    ]);
  });

  it('turns a cancelled transaction into a retryable conflict, and any other failure into an unavailable store', async () => {
    const cancelled = new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    });
    documents.on(TransactWriteCommand).rejects(cancelled);
    const lost = await repository.apply(7, organizationScope, activationChange(['a', 'b'], new Set(['a']), true, AT)).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(ConflictError);
    expect(lost).toMatchObject({ code: 'conflict', retryable: true, cause: cancelled });

    documents.reset();
    documents.on(TransactWriteCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const down = await repository.apply(7, organizationScope, activationChange(['a'], new Set(), true, AT)).catch((error: unknown) => error);
    expect(down).toBeInstanceOf(CertwrightError);
    expect(down).toMatchObject({ code: 'dependency_unavailable', message: 'The data store did not answer' });
  });
});
