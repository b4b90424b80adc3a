import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ActivationChange, ActivationScope } from '../../domain/activation.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { ActivationRepository } from '../../ports/activation-repository.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { keys } from './keys.ts';
import { batchGetAll, getItem } from './item-reads.ts';

type Key = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const scopeKey = (scope: ActivationScope): string => (scope.type === 'organization' ? 'ORG' : `PROJECT#${scope.projectId}`);

const setKey = (organizationId: number, scope: ActivationScope) =>
  keys.activeCertificates(scope.type === 'organization' ? `ORG#${organizationId}` : `PROJECT#${scope.projectId}`);

function scopeOfKey(sortKey: string): ActivationScope | null {
  const key = sortKey.slice(keys.certificateActivationPrefix.length);
  if (key === 'ORG') return { type: 'organization' };
  if (key.startsWith('PROJECT#')) return { type: 'project', projectId: key.slice('PROJECT#'.length) };
  return null;
}

/**
 * Activation switches: one item per certificate and scope (`CERT#<id>` / `ACTIVE#ORG` or `ACTIVE#PROJECT#<id>`),
 * plus a per-certificate count of the switches that are on (`CERT#<id>` / `ACTIVATIONS`). The count is what a
 * certificate delete conditions on, so "delete only when inactive everywhere" holds without check-then-act.
 * Each scope also keeps the set of its active ids (`ACTIVESET#ORG#<org>` or `ACTIVESET#PROJECT#<id>`), written in
 * the same transactions, so a list page learns `active` with one GetItem run beside its Query. A set holds about
 * 10,000 ids before it reaches DynamoDB's item size limit, ten times the default certificate quota.
 */
export class DynamoActivationRepository implements ActivationRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async activeAmong(scope: ActivationScope, certificateIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(certificateIds)];
    // Strongly consistent, so a switch just flipped shows at once.
    const items = await batchGetAll(
      this.client,
      this.tableName,
      unique.map((id) => keys.certificateActivation(id, scopeKey(scope))),
      { consistent: true, projection: 'certificateId' },
    );
    return new Set(items.map((item) => String(item.certificateId)));
  }

  async activeIn(organizationId: number, scope: ActivationScope): Promise<Set<string>> {
    const item = await getItem(this.client, this.tableName, setKey(organizationId, scope), { consistent: true });
    return new Set((item?.ids as Set<string> | undefined) ?? []);
  }

  async scopesOf(certificateId: string): Promise<ActivationScope[]> {
    const scopes: ActivationScope[] = [];
    let startKey: Key | undefined;
    do {
      const page = await guard(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': keys.certificateActivationCount(certificateId).pk,
              ':prefix': keys.certificateActivationPrefix,
            },
            ProjectionExpression: 'sk',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const scope = scopeOfKey(String(item.sk));
        if (scope) scopes.push(scope);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return scopes;
  }

  async apply(organizationId: number, scope: ActivationScope, change: ActivationChange): Promise<void> {
    const table = this.tableName;
    const switchKey = (certificateId: string) => keys.certificateActivation(certificateId, scopeKey(scope));
    const switchOn = (certificateId: string): TransactItem[] => [
      // The certificate must still be there (and ours): a delete that won the race makes this whole call fail.
      {
        ConditionCheck: {
          TableName: table,
          Key: keys.certificate(certificateId),
          ConditionExpression: 'attribute_exists(pk) AND organizationId = :organization',
          ExpressionAttributeValues: { ':organization': organizationId },
        },
      },
      {
        Put: {
          TableName: table,
          Item: {
            ...switchKey(certificateId),
            entity: 'certificateActivation',
            certificateId,
            organizationId,
            ...(scope.type === 'project' ? { projectId: scope.projectId } : {}),
            activatedAt: change.at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: table,
          Key: keys.certificateActivationCount(certificateId),
          UpdateExpression: 'ADD activeCount :one SET entity = :entity, certificateId = :id',
          ExpressionAttributeValues: { ':one': 1, ':entity': 'certificateActivationCount', ':id': certificateId },
        },
      },
    ];
    const switchOff = (certificateId: string): TransactItem[] => [
      { Delete: { TableName: table, Key: switchKey(certificateId), ConditionExpression: 'attribute_exists(pk)' } },
      {
        Update: {
          TableName: table,
          Key: keys.certificateActivationCount(certificateId),
          UpdateExpression: 'ADD activeCount :minusOne',
          ExpressionAttributeValues: { ':minusOne': -1 },
        },
      },
    ];
    const items: TransactItem[] = [
      ...change.switching.flatMap(change.active ? switchOn : switchOff),
      // The ids already in the wanted state are checked to still be in it, as the switching ones are by their own
      // conditions: a concurrent call that switched any id of the batch since it was read refuses this whole call,
      // which reads again. Without this, an activate and a deactivate of the same ids would each write only the ids
      // it changes, and both would commit, leaving a mix.
      ...change.unchanged.map(
        (certificateId): TransactItem => ({
          ConditionCheck: {
            TableName: table,
            Key: switchKey(certificateId),
            ConditionExpression: change.active ? 'attribute_exists(pk)' : 'attribute_not_exists(pk)',
          },
        }),
      ),
    ];
    if (items.length === 0) return;
    if (change.switching.length > 0) {
      items.push({
        Update: {
          TableName: table,
          Key: setKey(organizationId, scope),
          UpdateExpression: change.active ? 'ADD ids :ids SET entity = :entity' : 'DELETE ids :ids',
          ExpressionAttributeValues: {
            ':ids': new Set(change.switching),
            ...(change.active ? { ':entity': 'activeCertificateSet' } : {}),
          },
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isConditionFailure(error) || (error instanceof Error && error.name === 'TransactionConflictException')) {
        throw new ConflictError('Another request changed the same certificates at the same time; try again', {
          cause: error,
          retryable: true,
        });
      }
      throw storeFailure(error);
    }
  }
}
