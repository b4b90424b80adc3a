import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExpiringCertificate, ExpiryIndex } from '../../ports/expiry-index.ts';
import { guard } from './errors.ts';
import { EXPIRY_INDEX, RENEW_SHARDS } from './renewal-index.ts';

/** The `expiry` index, one keys-only Query per shard. */
export class DynamoExpiryIndex implements ExpiryIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async expiringBetween(from: Date, until: Date): Promise<ExpiringCertificate[]> {
    const found: ExpiringCertificate[] = [];
    for (let shard = 0; shard < RENEW_SHARDS; shard += 1) {
      let after: Record<string, unknown> | undefined;
      do {
        const page = await guard(
          this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: EXPIRY_INDEX,
              // `<time>#<organization>`: every entry of [from, until) sorts between these two.
              KeyConditionExpression: 'expiryShard = :shard AND expiryDue BETWEEN :from AND :until',
              ExpressionAttributeValues: { ':shard': `RENEW#${shard}`, ':from': from.toISOString(), ':until': until.toISOString() },
              ExclusiveStartKey: after,
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const [notAfter = '', organizationId = ''] = String(item.expiryDue).split('#');
          found.push({ certificateId: String(item.pk).slice('CERT#'.length), organizationId: Number(organizationId), notAfter });
        }
        after = page.LastEvaluatedKey;
      } while (after);
    }
    return found;
  }
}
