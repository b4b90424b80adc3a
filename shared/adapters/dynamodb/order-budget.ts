import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.ts';
import { takeFromBudget } from '../../domain/renewal.ts';
import type { Grant, GrantLog, RateLimit } from '../../domain/renewal.ts';
import type { OrderBudget } from '../../ports/order-budget.ts';
import { isConditionFailure, storeFailure } from './errors.ts';
import { getItem } from './item-reads.ts';
import { keys } from './keys.ts';

const MAX_RACES = 8;

/**
 * One item per ACME account holds the orders granted in the last window. Each grant is a read and a write
 * conditioned on the version read, so concurrent planner runs cannot both spend the same orders: the loser reads
 * again and takes what is left.
 */
export class DynamoOrderBudget implements OrderBudget {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly rate: RateLimit,
  ) {}

  async take(account: string, wanted: number, now: Date): Promise<Grant> {
    const key = keys.orderBudget(account);
    for (let race = 0; race < MAX_RACES; race += 1) {
      const item = await getItem(this.client, this.tableName, key, { consistent: true });
      const version = Number(item?.version ?? 0);
      const grant = takeFromBudget((item?.log as GrantLog | undefined) ?? [], now, this.rate, wanted);
      if (grant.granted === 0) return grant;
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, entity: 'orderBudget', log: grant.log, version: version + 1, ttl: Math.ceil((now.getTime() + 2 * this.rate.windowMs) / 1000) },
            ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
            ExpressionAttributeValues: version === 0 ? undefined : { ':version': version },
          }),
        );
        return grant;
      } catch (error) {
        if (!isConditionFailure(error)) throw storeFailure(error);
      }
    }
    throw new ConflictError('The order budget is too busy; the next planner run will try again', { retryable: true });
  }
}
