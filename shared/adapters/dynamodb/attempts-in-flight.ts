import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttemptsInFlight, InFlightAttempt, InFlightPage } from '../../ports/attempts-in-flight.ts';
import { IN_FLIGHT_INDEX, IN_FLIGHT_SHARDS } from './attempts-in-flight-index.ts';
import { guard } from './errors.ts';

/** The `attempts-in-flight` index, one keys-only Query per shard and page. */
export class DynamoAttemptsInFlight implements AttemptsInFlight {
  readonly shardCount = IN_FLIGHT_SHARDS;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async startedBefore(shard: number, before: Date, limit: number, after: Record<string, unknown> | null): Promise<InFlightPage> {
    const result = await guard(
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: IN_FLIGHT_INDEX,
          // `<startedAt>#<organization>#<attempt>`: every attempt started before `before` sorts below its ISO time.
          KeyConditionExpression: 'flightShard = :shard AND flightSince < :before',
          ExpressionAttributeValues: { ':shard': `FLIGHT#${shard}`, ':before': before.toISOString() },
          Limit: limit,
          ExclusiveStartKey: after ?? undefined,
        }),
      ),
    );
    const items = (result.Items ?? []).map((item): InFlightAttempt => {
      const [startedAt = '', organizationId = '', attemptId = ''] = String(item.flightSince).split('#');
      return { attemptId, certificateId: String(item.pk).slice('CERT#'.length), organizationId: Number(organizationId), startedAt };
    });
    return { items, next: result.LastEvaluatedKey ?? null };
  }
}
