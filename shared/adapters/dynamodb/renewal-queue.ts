import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Attempt } from '../../domain/certificate.ts';
import { DEFAULT_RENEWAL_POLICY } from '../../domain/renewal.ts';
import type { DuePage, DueRenewal, RenewalQueue } from '../../ports/renewal-queue.ts';
import { guard, isConditionFailure, storeFailure } from './errors.ts';
import { inFlightAttributesOf } from './attempts-in-flight-index.ts';
import { keys } from './keys.ts';
import { RENEWAL_INDEX, RENEW_SHARDS, dueBound, parsePlannerDue, plannerDue } from './renewal-index.ts';

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
      return { certificateId: String(item.pk).slice('CERT#'.length), ...parsePlannerDue(seen), seen };
    });
    return { items, next: result.LastEvaluatedKey ?? null, readCapacity: result.ConsumedCapacity?.CapacityUnits ?? 0 };
  }

  async claim(item: DueRenewal, attempt: Attempt, now: Date): Promise<boolean> {
    // A first issuance tried again is pending again, as when a person starts it; a renewal keeps the status it has.
    const issue = item.kind === 'issue';
    // The attempt sweeper's index entry, as the repository derives it for a certificate with this attempt.
    const flight = inFlightAttributesOf(item.certificateId, item.organizationId, attempt);
    return this.conditionalUpdate(item, {
      UpdateExpression: `SET lastAttempt = :attempt, updatedAt = :now, renewDue = :leased, version = version + :one, flightShard = :flightShard, flightSince = :flightSince${issue ? ', #status = :pending' : ''} ADD attemptCount :one`,
      ExpressionAttributeValues: {
        ':attempt': attempt,
        ':flightShard': flight.flightShard,
        ':flightSince': flight.flightSince,
        ':now': now.toISOString(),
        // The same value the repository derives for a certificate with this attempt running (nextPlannerCheck).
        ':leased': plannerDue(new Date(now.getTime() + this.leaseMs), item.organizationId, issue ? 'issue' : 'renew', item.exempt),
        ':one': 1,
        ...(issue ? { ':pending': 'pending' } : {}),
      },
      ...(issue ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
    });
  }

  async defer(item: DueRenewal, until: Date): Promise<boolean> {
    return this.conditionalUpdate(item, {
      UpdateExpression: 'SET renewDue = :until',
      // A first issuance stays one; anything else comes back as a renewal (an ARI re-check put off is not put off forever).
      ExpressionAttributeValues: { ':until': plannerDue(until, item.organizationId, item.kind === 'issue' ? 'issue' : 'renew', item.exempt) },
    });
  }

  private async conditionalUpdate(
    item: DueRenewal,
    update: {
      UpdateExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
      ExpressionAttributeNames?: Record<string, string>;
    },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.certificate(item.certificateId),
          UpdateExpression: update.UpdateExpression,
          ...(update.ExpressionAttributeNames ? { ExpressionAttributeNames: update.ExpressionAttributeNames } : {}),
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
