import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Attempt } from '../../domain/certificate.ts';
import { DEFAULT_RENEWAL_POLICY } from '../../domain/renewal.ts';
import type { DuePage, DueRenewal, RenewalQueue } from '../../ports/renewal-queue.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { keys } from './keys.ts';
import { RENEWAL_INDEX, RENEW_SHARDS, dueBound, renewDue } from './renewal-index.ts';

/** The renewal-due index as a queue: a keys-only Query per shard, conditional writes to claim or defer. */
export class DynamoRenewalQueue implements RenewalQueue {
  readonly shardCount = RENEW_SHARDS;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly leaseMs: number = DEFAULT_RENEWAL_POLICY.attemptLeaseMs,
  ) {}

  async due(shard: number, now: Date, limit: number, after: Record<string, unknown> | null): Promise<DuePage> {
    const result = await guard(
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: RENEWAL_INDEX,
          KeyConditionExpression: 'renewShard = :shard AND renewDue < :bound',
          ExpressionAttributeValues: { ':shard': `RENEW#${shard}`, ':bound': dueBound(now) },
          Limit: limit,
          ExclusiveStartKey: after ?? undefined,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    const items = (result.Items ?? []).map((item): DueRenewal => {
      const seen = String(item.renewDue);
      const [, organizationId, kind] = seen.split('#');
      return { certificateId: String(item.pk).slice('CERT#'.length), organizationId: Number(organizationId), kind: kind === 'ari' ? 'ari' : 'renew', seen };
    });
    return { items, next: result.LastEvaluatedKey ?? null, readCapacity: result.ConsumedCapacity?.CapacityUnits ?? 0 };
  }

  async claim(item: DueRenewal, attempt: Attempt, now: Date): Promise<boolean> {
    return this.conditionalUpdate(item, {
      UpdateExpression: 'SET lastAttempt = :attempt, updatedAt = :now, renewDue = :leased, version = version + :one ADD attemptCount :one',
      ExpressionAttributeValues: {
        ':attempt': attempt,
        ':now': now.toISOString(),
        // The same value the repository derives for a certificate with this attempt running (nextPlannerCheck).
        ':leased': renewDue(new Date(now.getTime() + this.leaseMs), item.organizationId),
        ':one': 1,
      },
    });
  }

  async defer(item: DueRenewal, until: Date): Promise<boolean> {
    return this.conditionalUpdate(item, {
      UpdateExpression: 'SET renewDue = :until',
      ExpressionAttributeValues: { ':until': renewDue(until, item.organizationId) },
    });
  }

  private async conditionalUpdate(
    item: DueRenewal,
    update: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.certificate(item.certificateId),
          UpdateExpression: update.UpdateExpression,
          // Only while the index still shows what this run read: another run, or a write by the workflow, wins.
          ConditionExpression: 'renewDue = :seen',
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seen': item.seen },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeFailure(error);
    }
  }
}
