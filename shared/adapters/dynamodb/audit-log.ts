import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CertwrightError } from '../../domain/errors.ts';
import type { AuditEvent } from '../../domain/identity.ts';
import type { AuditLog, AuditPage } from '../../ports/audit-log.ts';
import { guard } from './errors.ts';
import { keys, stripKeys } from './keys.ts';

/** Audit events are kept this long, then DynamoDB's TTL removes them. */
export const AUDIT_RETENTION_DAYS = 400;

/** One partition per organization, sorted by time: the newest page is one Query. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const ttl = Math.ceil(Date.parse(event.at) / 1000) + AUDIT_RETENTION_DAYS * 86_400;
    await guard(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.auditEvent(event.organizationId, event.at, event.id), entity: 'auditEvent', ...event, ttl },
        }),
      ),
    );
  }

  async list(organizationId: number, limit: number, after: string | null): Promise<AuditPage> {
    let startKey: Record<string, unknown> | undefined;
    if (after !== null) {
      const sk = Buffer.from(after, 'base64url').toString('utf8');
      if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z#[\w-]+$/.test(sk)) throw new CertwrightError('bad_request', 'after is not a cursor this API gave out');
      startKey = { pk: keys.auditOf(organizationId), sk };
    }
    const page = await guard(
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.auditOf(organizationId) },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    const events = (page.Items ?? []).map((item) => {
      const event = stripKeys(item);
      delete event.ttl;
      return event as unknown as AuditEvent;
    });
    const last = page.LastEvaluatedKey;
    return { events, next: last && events.length === limit ? Buffer.from(String(last.sk)).toString('base64url') : null };
  }
}
