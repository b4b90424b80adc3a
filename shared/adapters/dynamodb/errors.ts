import { CertwrightError } from '../../domain/errors.ts';

const RETRYABLE = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError']);

/** Wraps an unexpected DynamoDB failure; the message stays generic so nothing internal reaches a caller. */
export function storeFailure(error: unknown): CertwrightError {
  const name = error instanceof Error ? error.name : 'Unknown';
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
