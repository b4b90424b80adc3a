import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CertwrightError, ConflictError, NotFoundError } from '../../domain/errors.ts';

const RETRYABLE = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError']);

/** Wraps an unexpected DynamoDB failure; the message stays generic so nothing internal reaches a caller. */
export function storeFailure(error: unknown): CertwrightError {
  const name = error instanceof Error ? error.name : 'Unknown';
  // DynamoDB refusing a request certwright built is a bug here, not an outage: "try again shortly" would not help.
  if (name === 'ValidationException') return new CertwrightError('internal', 'The data store refused a request', { cause: error });
  return new CertwrightError('dependency_unavailable', 'The data store did not answer', { cause: error, retryable: RETRYABLE.has(name) });
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'ConditionalCheckFailedException' || error.name === 'TransactionCanceledException');

/** Awaits a DynamoDB call, turning its failure into a domain error. */
export async function guard<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw storeFailure(error);
  }
}

/**
 * Replaces an organization's item only while it still has the version the caller read. The old item comes back
 * with a failed condition (in wire form, `{ N: "42" }`) and tells a lost race (409) from an item that is gone or
 * belongs to another organization (404).
 */
export async function putVersioned(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  expected: { organizationId: number; version: number; what: 'Certificate' | 'Project' },
): Promise<void> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_exists(pk) AND organizationId = :organization AND version = :expected',
        ExpressionAttributeValues: { ':organization': expected.organizationId, ':expected': expected.version },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw storeFailure(error);
    const current = (error as { Item?: { organizationId?: { N?: string } } }).Item;
    if (current?.organizationId?.N !== String(expected.organizationId)) throw new NotFoundError(expected.what);
    const noun = expected.what.toLowerCase();
    throw new ConflictError(`The ${noun} was changed by another request; fetch it again and retry`, { cause: error });
  }
}
